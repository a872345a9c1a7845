package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;

/**
 * The shared forward and backward kernels of {@link RmsNorm} and {@link LayerNorm}, over rows of
 * the last dimension. With x̂ = (x − μ)·r (μ = 0 for RMSNorm), y = x̂·w + b and
 * r = 1/√(var + eps):
 *
 * <pre>
 *   dx = r·(g·w − mean(g·w) − x̂·mean(g·w·x̂))     (LayerNorm; RMSNorm drops the mean(g·w) term)
 *   dw = Σ_rows g·x̂,   db = Σ_rows g
 * </pre>
 *
 * which is torch's layer_norm backward (aten/src/ATen/native/cpu/layer_norm_kernel.cpp).
 * Parameter gradients are summed per fixed block of {@link #ROW_BLOCK} rows and the blocks are
 * then added in block order, so the result does not depend on the thread count.
 */
final class Normalization {

    static final int ROW_BLOCK = 32;

    /** Per-row statistics kept for backward: the mean (null for RMSNorm) and r = 1/√(var + eps). */
    record Stats(Tensor mean, Tensor rstd) {
    }

    private Normalization() {
    }

    static void checkParam(Tensor p, String name, int dim) {
        if (p != null && (p.rank() != 1 || p.shape(0) != dim)) {
            throw new IllegalArgumentException(name + " must have shape [" + dim + "] (the input's last dimension), got "
                    + java.util.Arrays.toString(p.shape()));
        }
    }

    /**
     * Writes the normalised rows into {@code out} (compute dtype, contiguous) and returns the
     * statistics. When {@code roundTo} is BF16 or F16, x̂ is rounded to that dtype before the
     * weight multiplies it, as HF's LlamaRMSNorm does with {@code weight * x.to(input_dtype)}.
     */
    static Stats forward(Tensor x, Tensor w, Tensor b, double eps, boolean centered, DType roundTo, Tensor out) {
        DType type = out.dtype();
        RowMath m = RowMath.of(type);
        int dim = x.shape(-1);
        int rows = Math.toIntExact(x.numel() / Math.max(1, dim));
        Tensor mean = centered ? Tensor.empty(type, rows) : null;
        Tensor rstd = Tensor.empty(type, rows);
        MemorySegment xs = x.segment();
        MemorySegment ws = w == null ? null : w.segment();
        MemorySegment bs = b == null ? null : b.segment();
        MemorySegment os = out.segment();
        boolean round = roundTo == DType.BF16 || roundTo == DType.F16;
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long xo = x.offset() + (long) r * dim;
                double mu = centered ? m.dotOrSum(xs, xo, null, 0, dim) / dim : 0;
                double rs = 1 / Math.sqrt(m.sumSqDev(xs, xo, mu, dim) / dim + eps);
                if (type == DType.F32) {
                    rs = (float) rs;
                }
                if (centered) {
                    m.set(mean.segment(), r, mu);
                }
                m.set(rstd.segment(), r, rs);
                long oo = (long) r * dim;
                if (round) {
                    m.affineNorm(xs, xo, mu, rs, null, 0, null, 0, os, oo, dim);
                    roundRow(m, os, oo, dim, roundTo, ws, w == null ? 0 : w.offset());
                } else {
                    m.affineNorm(xs, xo, mu, rs, ws, w == null ? 0 : w.offset(), bs, b == null ? 0 : b.offset(), os, oo, dim);
                }
            }
        });
        return new Stats(mean, rstd);
    }

    private static void roundRow(RowMath m, MemorySegment os, long oo, int dim, DType roundTo, MemorySegment ws, long wo) {
        for (int i = 0; i < dim; i++) {
            float v = (float) m.get(os, oo + i);
            float rounded = roundTo == DType.BF16 ? TypedAccess.bf16ToFloat(TypedAccess.floatToBf16(v))
                    : Float.float16ToFloat(Float.floatToFloat16(v));
            m.set(os, oo + i, ws == null ? rounded : rounded * (float) m.get(ws, wo + i));
        }
    }

    /**
     * Gradients {dx, dw, db} (dw/db null when not wanted) from the output gradient {@code g}; all
     * tensors in the compute dtype and contiguous.
     */
    static Tensor[] backward(Tensor g, Tensor x, Tensor w, Stats stats, boolean wantW, boolean wantB) {
        DType type = g.dtype();
        RowMath m = RowMath.of(type);
        int dim = x.shape(-1);
        int rows = Math.toIntExact(x.numel() / Math.max(1, dim));
        boolean centered = stats.mean() != null;
        Tensor gx = Tensor.empty(type, x.shape());
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        Tensor pw = wantW ? Tensor.zeros(type, Math.max(1, blocks), dim) : null;
        Tensor pb = wantB ? Tensor.zeros(type, Math.max(1, blocks), dim) : null;
        MemorySegment gs = g.segment();
        MemorySegment xs = x.segment();
        MemorySegment ws = w == null ? null : w.segment();
        long wo = w == null ? 0 : w.offset();
        MemorySegment gxs = gx.segment();
        Parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int end = Math.min(rows, (blk + 1) * ROW_BLOCK);
                for (int r = blk * ROW_BLOCK; r < end; r++) {
                    long go = g.offset() + (long) r * dim;
                    long xo = x.offset() + (long) r * dim;
                    double mu = centered ? m.get(stats.mean().segment(), r) : 0;
                    double rs = m.get(stats.rstd().segment(), r);
                    double sumGw = m.dotOrSum(gs, go, ws, wo, dim);
                    double sumGwx = m.dot3(gs, go, ws, wo, xs, xo, dim);
                    double a = centered ? sumGw / dim : 0;
                    double c = rs * (sumGwx - mu * sumGw) / dim;
                    m.normInputGrad(gs, go, ws, wo, xs, xo, mu, rs, a, c, gxs, (long) r * dim, dim);
                    if (wantW || wantB) {
                        m.normParamGrad(gs, go, xs, xo, mu, rs, wantW ? pw.segment() : null, (long) blk * dim,
                                wantB ? pb.segment() : null, (long) blk * dim, dim);
                    }
                }
            }
        });
        return new Tensor[] {gx, wantW ? sumBlocks(m, pw, blocks, dim) : null, wantB ? sumBlocks(m, pb, blocks, dim) : null};
    }

    /** Column sums of the [blocks, dim] partials, adding blocks in index order. */
    private static Tensor sumBlocks(RowMath m, Tensor partial, int blocks, int dim) {
        Tensor out = Tensor.zeros(partial.dtype(), dim);
        MemorySegment ps = partial.segment();
        MemorySegment os = out.segment();
        Parallel.forRange(dim, 256, (c0, c1) -> {
            for (int blk = 0; blk < blocks; blk++) {
                m.axpy(1, ps, (long) blk * dim + c0, os, c0, c1 - c0);
            }
        });
        return out;
    }
}
