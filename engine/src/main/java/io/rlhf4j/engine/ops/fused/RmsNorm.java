package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;

/**
 * RMSNorm as in Hugging Face's LlamaRMSNorm: y = x / √(mean(x², last dim) + eps) · w, computed in
 * F32 even for BF16/F16 input; for such input x̂ is rounded to the input dtype before the weight
 * multiplies it ({@code weight * hidden_states.to(input_dtype)}) and y has the input's dtype.
 * Backward saves only the per-row r = 1/√(mean(x²) + eps).
 */
public final class RmsNorm {

    private RmsNorm() {
    }

    /** {@code weight} [D] may be null (no affine weight). */
    public static Tensor apply(Tensor x, Tensor weight, double eps) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException("rmsNorm needs a tensor of rank >= 1, got a scalar");
        }
        Normalization.checkParam(weight, "rmsNorm weight", x.shape(-1));
        DType type = RowMath.computeType(x.dtype());
        Tensor xc = x.detach().to(type).contiguous();
        Tensor wc = weight == null ? null : weight.detach().to(type).contiguous();
        Tensor out = Tensor.empty(type, x.shape());
        Normalization.Stats stats = Normalization.forward(xc, wc, null, eps, false, x.dtype(), out);
        Tensor result = out.to(x.dtype());
        return Autograd.record(result, "rms_norm", g -> {
            // x and the weight are re-widened here rather than kept widened, so BF16 inputs hold no F32 copy
            Tensor[] grads = Normalization.backward(g.to(type).contiguous(), x.detach().to(type).contiguous(),
                    weight == null ? null : weight.detach().to(type).contiguous(), stats,
                    weight != null && weight.requiresGrad(), false);
            return new Tensor[] {grads[0].to(x.dtype()), grads[1] == null ? null : grads[1].to(weight.dtype())};
        }, x, weight);
    }
}
