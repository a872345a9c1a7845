package io.rlhf4j.engine.autograd;

import io.rlhf4j.engine.Tensor;

/**
 * One recorded operation of the define-by-run graph: the inputs it read and how to turn the
 * gradient of its output into gradients of those inputs.
 */
public final class Node {

    /** Maps the output gradient to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String name;
    private final Tensor[] inputs;
    private final Backward backward;

    public Node(String name, Backward backward, Tensor... inputs) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String name() {
        return name;
    }

    public Tensor[] inputs() {
        return inputs;
    }

    Tensor[] backward(Tensor gradOutput) {
        Tensor[] grads = backward.apply(gradOutput);
        if (grads.length != inputs.length) {
            throw new IllegalStateException("backward of " + name + " returned " + grads.length
                    + " gradients for " + inputs.length + " inputs");
        }
        return grads;
    }
}
