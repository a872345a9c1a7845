package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/** GPT-2's feed-forward: dropout(c_proj(gelu_new(c_fc(x)))), gelu_new being the tanh approximation. */
public final class Gpt2Mlp extends Module {

    private final Dropout dropout;

    public Gpt2Mlp(int hidden, int inner, double residDropout, long seed, DType dtype) {
        registerModule("c_fc", new Conv1D(hidden, inner, dtype));
        registerModule("c_proj", new Conv1D(inner, hidden, dtype));
        dropout = registerModule("dropout", new Dropout(residDropout, seed));
    }

    public Tensor forward(Tensor x) {
        Tensor hidden = child("c_fc", Projection.class).forward(x).geluTanh();
        return dropout.forward(child("c_proj", Projection.class).forward(hidden));
    }
}
