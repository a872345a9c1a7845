package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.Tensor;

/**
 * A module that maps the last dimension of its input linearly: {@link Linear}, GPT-2's
 * {@link Conv1D}, or an adapter wrapping one of them (LoRA). Layers call their projections
 * through this type, looked up by name, so that a projection can be replaced in place
 * ({@link io.rlhf4j.nn.Module#replaceChild}).
 */
public interface Projection {

    /** x [..., in] → [..., out]. */
    Tensor forward(Tensor x);
}
