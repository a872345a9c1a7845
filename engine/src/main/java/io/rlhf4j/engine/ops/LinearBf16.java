package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.cpu.Bf16Gemv;
import java.util.Arrays;

/**
 * Inference-only y = x·Wᵀ for F32 x [..., in] and a BF16 copy of a weight W [out, in], through
 * {@link Bf16Gemv}: for the few-row products of decoding, which are bound by reading W. It records
 * no gradient, so it refuses to run while gradients are recorded.
 */
public final class LinearBf16 {

    private LinearBf16() {
    }

    public static Tensor apply(Tensor x, Tensor w) {
        if (w.rank() != 2 || w.dtype() != DType.BF16 || x.rank() == 0 || x.dtype() != DType.F32
                || x.shape(-1) != w.shape(1)) {
            throw new IllegalArgumentException("BF16 linear needs F32 x [..., in] and BF16 weight [out, in], got x "
                    + x.dtype() + Arrays.toString(x.shape()) + " and weight " + w.dtype() + Arrays.toString(w.shape()));
        }
        if (Grad.isEnabled() && x.requiresGrad()) {
            throw new IllegalStateException("BF16 linear is inference-only: x requires grad while grad is enabled");
        }
        Tensor xc = x.detach().contiguous();
        Tensor wc = w.detach().contiguous();
        int k = w.shape(1);
        int n = w.shape(0);
        int m = Math.toIntExact(x.numel() / k);
        int[] shape = x.shape();
        shape[shape.length - 1] = n;
        Tensor out = Tensor.empty(DType.F32, shape);
        Bf16Gemv.gemv(m, n, k, xc.segment(), xc.offset(), wc.segment(), wc.offset(), out.segment(), out.offset());
        return out;
    }
}
