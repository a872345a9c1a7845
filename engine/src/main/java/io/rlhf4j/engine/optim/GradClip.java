package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * torch.nn.utils.clip_grad_norm_ with the L2 norm: total = ‖(‖g₁‖, …, ‖gₙ‖)‖₂ over every
 * parameter that has a gradient, then every gradient is scaled in place by
 * min(1, maxNorm / (total + 1e-6)). Squares are summed in double over fixed blocks of
 * {@value #BLOCK} elements, combined in block order, so the norm is bitwise the same for any
 * thread count.
 */
public final class GradClip {

    static final int BLOCK = 1 << 14;

    private GradClip() {
    }

    /** Clips in place and returns the total norm before clipping. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        double total = totalNorm(params);
        double coef = Math.min(1.0, maxNorm / (total + 1e-6));
        if (coef < 1.0) {
            for (Tensor p : params) {
                if (p.grad() != null) {
                    scale(checked(p.grad()), coef);
                }
            }
        }
        return total;
    }

    /** The L2 norm of all gradients taken together. */
    public static double totalNorm(List<Tensor> params) {
        double sum = 0;
        for (Tensor p : params) {
            if (p.grad() != null) {
                sum += sumOfSquares(checked(p.grad()));
            }
        }
        return Math.sqrt(sum);
    }

    private static Tensor checked(Tensor g) {
        if ((g.dtype() != DType.F32 && g.dtype() != DType.F64) || !g.isContiguous()) {
            throw new IllegalArgumentException("gradient clipping needs contiguous F32 or F64 gradients, got " + g);
        }
        return g;
    }

    private static double sumOfSquares(Tensor g) {
        int n = Math.toIntExact(g.numel());
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] partial = new double[blocks];
        MemorySegment s = g.segment();
        long base = g.offset();
        boolean f32 = g.dtype() == DType.F32;
        Parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                double acc = 0;
                int end = Math.min(n, (b + 1) * BLOCK);
                for (int i = b * BLOCK; i < end; i++) {
                    double x = f32 ? s.getAtIndex(TypedAccess.F32, base + i) : s.getAtIndex(TypedAccess.F64, base + i);
                    acc += x * x;
                }
                partial[b] = acc;
            }
        });
        double sum = 0;
        for (double x : partial) {
            sum += x;
        }
        return sum;
    }

    private static void scale(Tensor g, double coef) {
        MemorySegment s = g.segment();
        long base = g.offset();
        boolean f32 = g.dtype() == DType.F32;
        float c32 = (float) coef;
        Parallel.forRange(Math.toIntExact(g.numel()), AbstractOptimizer.MIN_CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                if (f32) {
                    s.setAtIndex(TypedAccess.F32, base + i, s.getAtIndex(TypedAccess.F32, base + i) * c32);
                } else {
                    s.setAtIndex(TypedAccess.F64, base + i, s.getAtIndex(TypedAccess.F64, base + i) * coef);
                }
            }
        });
    }
}
