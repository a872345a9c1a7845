package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;

/**
 * torch.nn.functional.layer_norm over the last dimension: y = (x − mean)/√(var + eps)·w + b with
 * the biased variance (divide by D). Computed in F32 (F64 for F64 input); the output has the
 * input's dtype. Backward saves the per-row mean and r = 1/√(var + eps).
 */
public final class LayerNorm {

    private LayerNorm() {
    }

    /** {@code weight} and {@code bias} ([D]) may each be null. */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, double eps) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException("layerNorm needs a tensor of rank >= 1, got a scalar");
        }
        Normalization.checkParam(weight, "layerNorm weight", x.shape(-1));
        Normalization.checkParam(bias, "layerNorm bias", x.shape(-1));
        DType type = RowMath.computeType(x.dtype());
        Tensor xc = x.detach().to(type).contiguous();
        Tensor wc = weight == null ? null : weight.detach().to(type).contiguous();
        Tensor bc = bias == null ? null : bias.detach().to(type).contiguous();
        Tensor out = Tensor.empty(type, x.shape());
        Normalization.Stats stats = Normalization.forward(xc, wc, bc, eps, true, type, out);
        Tensor result = out.to(x.dtype());
        return Autograd.record(result, "layer_norm", g -> {
            // x and the weight are re-widened here rather than kept widened, so BF16 inputs hold no F32 copy
            Tensor[] grads = Normalization.backward(g.to(type).contiguous(), x.detach().to(type).contiguous(),
                    weight == null ? null : weight.detach().to(type).contiguous(), stats,
                    weight != null && weight.requiresGrad(), bias != null && bias.requiresGrad());
            return new Tensor[] {grads[0].to(x.dtype()),
                grads[1] == null ? null : grads[1].to(weight.dtype()),
                grads[2] == null ? null : grads[2].to(bias.dtype())};
        }, x, weight, bias);
    }
}
