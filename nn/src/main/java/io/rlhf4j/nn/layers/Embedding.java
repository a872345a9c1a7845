package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;

/** torch.nn.Embedding: weight [num, dim]; ids of any shape give ids.shape + [dim]. */
public final class Embedding extends Module {

    private final Parameter weight;

    public Embedding(int num, int dim, DType dtype) {
        weight = registerParameter("weight", Parameter.zeros(dtype, num, dim));
    }

    public Tensor forward(Tensor ids) {
        return Tensor.embedding(weight.tensor(), ids);
    }

    public Parameter weight() {
        return weight;
    }
}
