package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/** Llama's SwiGLU feed-forward: down_proj(silu(gate_proj(x)) · up_proj(x)). */
public final class GatedMlp extends Module {

    private final Linear gate;
    private final Linear up;
    private final Linear down;

    public GatedMlp(int hidden, int intermediate, boolean bias, DType dtype) {
        gate = registerModule("gate_proj", new Linear(hidden, intermediate, bias, dtype));
        up = registerModule("up_proj", new Linear(hidden, intermediate, bias, dtype));
        down = registerModule("down_proj", new Linear(intermediate, hidden, bias, dtype));
    }

    public Tensor forward(Tensor x) {
        return down.forward(gate.forward(x).silu().mul(up.forward(x)));
    }
}
