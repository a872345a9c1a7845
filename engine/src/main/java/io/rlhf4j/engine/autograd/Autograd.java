package io.rlhf4j.engine.autograd;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Records operations on the graph and runs the reverse pass. */
public final class Autograd {

    private Autograd() {
    }

    /**
     * Attaches {@code backward} to {@code output} when recording is on and any input needs a
     * gradient; returns {@code output} either way.
     */
    public static Tensor record(Tensor output, String name, Node.Backward backward, Tensor... inputs) {
        if (!Grad.isEnabled()) {
            return output;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                output.setGradFn(new Node(name, backward, inputs));
                return output;
            }
        }
        return output;
    }

    /**
     * For a backward closure: the F32 gradient buffer of {@code input} when it is a leaf that needs a
     * gradient (created as zeros if it has none yet), so the backward can add its contribution into
     * it directly (a GEMM with accumulate, a scatter-add) instead of materialising a gradient the
     * size of the weight, and return null for that input. Null when input is not such a leaf; the
     * backward then returns the gradient as usual. The buffer is used on every step alike, so the
     * order in which contributions are summed does not depend on whether a buffer existed.
     */
    public static Tensor leafGradSink(Tensor input) {
        if (input == null || !input.isLeaf() || !input.requiresGrad() || input.dtype() != DType.F32) {
            return null;
        }
        return input.gradBuffer();
    }

    /**
     * Back-propagates {@code gradient} (the gradient of some scalar with respect to {@code root})
     * through the graph, accumulating into the {@code grad} of every leaf that requires one.
     */
    public static void backward(Tensor root, Tensor gradient) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a tensor that does not require grad "
                    + "(no input of the computation had requiresGrad set, or it ran under Grad.disabled())");
        }
        if (!Arrays.equals(root.shape(), gradient.shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(gradient.shape())
                    + " does not match tensor shape " + Arrays.toString(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        GradientStore grads = new GradientStore();
        grads.seed(root, gradient);
        try (var g = Grad.disabled()) {
            for (Tensor t : order) {
                Tensor grad = grads.take(t);
                if (grad == null) {
                    continue;
                }
                try (var _ = grads.openNodeScope()) {
                    propagate(t, grad, grads);
                }
                grads.release(grad);
            }
        }
    }

    private static void propagate(Tensor t, Tensor grad, GradientStore grads) {
        Node node = t.gradFn();
        if (node == null) {
            t.accumulateGrad(grad);
            return;
        }
        Tensor[] inputs = node.inputs();
        Tensor[] inputGrads = node.backward(grad);
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !in.requiresGrad() || inputGrads[i] == null) {
                continue;
            }
            if (!Arrays.equals(in.shape(), inputGrads[i].shape())) {
                throw new IllegalStateException("backward of " + node.name() + " gave a gradient of shape "
                        + Arrays.toString(inputGrads[i].shape()) + " for input " + i + " of shape "
                        + Arrays.toString(in.shape()));
            }
            grads.accumulate(in, inputGrads[i]);
        }
    }

    /** Tensors reachable from root, root first, each before every tensor it was computed from. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> postOrder = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            while (next < inputs.length && (inputs[next] == null || !inputs[next].requiresGrad()
                    || visited.contains(inputs[next]))) {
                next++;
            }
            if (next < inputs.length) {
                frame[1] = next + 1;
                visited.add(inputs[next]);
                stack.push(new Object[] {inputs[next], 0});
            } else {
                stack.pop();
                postOrder.add(t);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
