package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;

/** Llama's RMSNorm over the last dimension: x / √(mean(x²) + eps) · weight. */
public final class RmsNorm extends Module {

    private final Parameter weight;
    private final double eps;

    public RmsNorm(int dim, double eps, DType dtype) {
        weight = registerParameter("weight", Parameter.zeros(dtype, dim));
        weight.tensor().detach().fill(1);
        this.eps = eps;
    }

    public Tensor forward(Tensor x) {
        return F.rmsNorm(x, weight.tensor(), eps);
    }

    public Parameter weight() {
        return weight;
    }
}
