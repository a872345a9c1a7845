package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;

/** torch.nn.LayerNorm over the last dimension with weight and bias. */
public final class LayerNorm extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final double eps;

    public LayerNorm(int dim, double eps, DType dtype) {
        weight = registerParameter("weight", Parameter.zeros(dtype, dim));
        weight.tensor().detach().fill(1);
        bias = registerParameter("bias", Parameter.zeros(dtype, dim));
        this.eps = eps;
    }

    public Tensor forward(Tensor x) {
        return F.layerNorm(x, weight.tensor(), bias.tensor(), eps);
    }
}
