package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.random.Generator;

/**
 * Inverted dropout (torch.nn.functional.dropout): y = x·m with m = 0 with probability p and
 * 1/(1−p) otherwise, so E[y] = x and evaluation needs no rescaling. The backward pass multiplies
 * by the same mask.
 */
public final class Dropout {

    private Dropout() {
    }

    public static Tensor apply(Tensor x, double p, Generator g, boolean training) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        Tensor mask = Tensor.empty(x.dtype() == DType.F64 ? DType.F64 : DType.F32, x.shape());
        double scale = p == 1 ? 0 : 1 / (1 - p);
        g.fillUniform(mask, u -> u < p ? 0 : scale);
        Tensor out;
        try (var off = Grad.disabled()) {
            out = x.mul(mask).to(x.dtype());
        }
        return Autograd.record(out, "dropout", grad -> new Tensor[] {grad.mul(mask).to(x.dtype())}, x);
    }
}
