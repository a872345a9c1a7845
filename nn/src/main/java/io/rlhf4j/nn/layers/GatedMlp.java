package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/** Llama's SwiGLU feed-forward: down_proj(silu(gate_proj(x)) · up_proj(x)). */
public final class GatedMlp extends Module {

    public GatedMlp(int hidden, int intermediate, boolean bias, DType dtype) {
        registerModule("gate_proj", new Linear(hidden, intermediate, bias, dtype));
        registerModule("up_proj", new Linear(hidden, intermediate, bias, dtype));
        registerModule("down_proj", new Linear(intermediate, hidden, bias, dtype));
    }

    public Tensor forward(Tensor x) {
        Tensor gated = F.swiglu(child("gate_proj", Projection.class).forward(x),
                child("up_proj", Projection.class).forward(x));
        return child("down_proj", Projection.class).forward(gated);
    }
}
