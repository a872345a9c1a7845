package io.rlhf4j.inference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.models.CausalLM;

/** Next-token logits [V] after a whole token sequence: what {@link MCTSGenerator} expands and rolls out with. */
@FunctionalInterface
public interface PolicyPriors {

    float[] nextTokenLogits(long[] sequence);

    /** A causal LM's last-position logits (a full forward of the sequence, no cache). */
    static PolicyPriors of(CausalLM model) {
        return sequence -> {
            try (var _ = Grad.disabled(); var _ = Memory.scope()) {
                return model.forwardLast(Tensor.ofLongs(sequence, 1, sequence.length), null, null, null)
                        .toFloatArray();
            }
        };
    }
}
