package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;

/**
 * torch.nn.Linear: weight [out, in] (as stored by Hugging Face), optional bias [out];
 * y = x·Wᵀ + b. The transpose is a view that the GEMM reads as a transpose flag.
 */
public final class Linear extends Module implements Projection {

    private final Parameter weight;
    private final Parameter bias;

    public Linear(int in, int out, boolean bias, DType dtype) {
        this(Parameter.zeros(dtype, out, in), bias ? Parameter.zeros(dtype, out) : null);
    }

    /** A linear layer over an existing weight, e.g. an lm_head tied to the token embedding. */
    public Linear(Parameter weight, Parameter bias) {
        this.weight = registerParameter("weight", weight);
        this.bias = bias == null ? null : registerParameter("bias", bias);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = F.linear(x, weight.tensor());
        return bias == null ? y : y.add(bias.tensor());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return weight.shape()[1];
    }

    public int outFeatures() {
        return weight.shape()[0];
    }
}
