package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;

/**
 * GPT-2's Conv1D (transformers.pytorch_utils.Conv1D): a linear layer whose weight is stored
 * [in, out], the transpose of torch.nn.Linear; y = x·W + b. Keeping the stored layout means the
 * checkpoint maps name for name and shape for shape in both directions, with no transposes.
 */
public final class Conv1D extends Module implements Projection {

    private final Parameter weight;
    private final Parameter bias;

    public Conv1D(int in, int out, DType dtype) {
        weight = registerParameter("weight", Parameter.zeros(dtype, in, out));
        bias = registerParameter("bias", Parameter.zeros(dtype, out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.matmul(weight.tensor()).add(bias.tensor());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
