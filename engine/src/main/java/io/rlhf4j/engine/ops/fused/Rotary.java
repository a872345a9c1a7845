package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.memory.Memory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Rotary position embedding as Hugging Face's {@code apply_rotary_pos_emb} with the
 * {@code rotate_half} convention (the two halves of the head dimension pair up, not interleaved
 * neighbours): y = x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁]. So with h = D/2:
 *
 * <pre>
 *   y[i]   = x[i]·cos[i]     − x[i+h]·sin[i]        (i &lt; h)
 *   y[i+h] = x[i+h]·cos[i+h] + x[i]·sin[i+h]
 * </pre>
 *
 * The backward pass is the transpose, dx = g·cos + rotate_halfᵀ(g·sin), which for HF's tables
 * (cos and sin repeat over the two halves) is the rotation by −θ. cos and sin are constants
 * built from positions ({@link RotaryTables}); they take no gradient.
 */
public final class Rotary {

    private Rotary() {
    }

    /** x [B, H, T, D]; cos, sin [B or 1, T, D] or [T, D], broadcast over heads. */
    public static Tensor apply(Tensor x, Tensor cos, Tensor sin) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("rotaryEmbedding expects x of shape [B, H, T, D], got " + Arrays.toString(x.shape()));
        }
        int batch = x.shape(0);
        int heads = x.shape(1);
        int seq = x.shape(2);
        int dim = x.shape(3);
        if (dim % 2 != 0) {
            throw new IllegalArgumentException("rotaryEmbedding needs an even head dimension, got " + dim);
        }
        int tableBatch = checkTable(cos, "cos", batch, seq, dim);
        if (checkTable(sin, "sin", batch, seq, dim) != tableBatch) {
            throw new IllegalArgumentException("cos " + Arrays.toString(cos.shape()) + " and sin "
                    + Arrays.toString(sin.shape()) + " must have the same shape");
        }
        DType type = RowMath.computeType(x.dtype());
        Tensor cc = cos.detach().to(type).contiguous();
        Tensor sc = sin.detach().to(type).contiguous();
        Tensor out = Tensor.empty(type, x.shape());
        // x is usually a transposed [B, T, H, D] projection: its contiguous copy is needed only here.
        try (var _ = Memory.scope()) {
            rotate(x.detach().to(type).contiguous(), cc, sc, out, heads, seq, tableBatch, false);
        }
        return Autograd.record(out.to(x.dtype()), "rotary_embedding", g -> {
            Tensor gx = Tensor.empty(type, x.shape());
            rotate(g.to(type).contiguous(), cc, sc, gx, heads, seq, tableBatch, true);
            return new Tensor[] {gx.to(x.dtype())};
        }, x);
    }

    private static int checkTable(Tensor t, String name, int batch, int seq, int dim) {
        if (t.requiresGrad()) {
            throw new IllegalArgumentException("rotaryEmbedding treats " + name + " as a constant table; pass one that does "
                    + "not require grad (build it with F.ropeCosSin)");
        }
        int[] s = t.shape();
        boolean ok = s.length == 2 && s[0] == seq && s[1] == dim
                || s.length == 3 && (s[0] == 1 || s[0] == batch) && s[1] == seq && s[2] == dim;
        if (!ok) {
            throw new IllegalArgumentException(name + " must have shape [" + batch + " or 1, " + seq + ", " + dim + "] or ["
                    + seq + ", " + dim + "] for x of batch " + batch + ", length " + seq + ", head dim " + dim + "; got "
                    + Arrays.toString(s));
        }
        return s.length == 3 ? s[0] : 1;
    }

    /** Forward (y = x·cos + rotate_half(x)·sin) or its transpose, row by row over [B·H·T, D]. */
    private static void rotate(Tensor x, Tensor cos, Tensor sin, Tensor out, int heads, int seq, int tableBatch,
            boolean transpose) {
        RowMath m = RowMath.of(out.dtype());
        int dim = x.shape(3);
        int h = dim / 2;
        int rows = Math.toIntExact(x.numel() / Math.max(1, dim));
        MemorySegment xs = x.segment();
        MemorySegment cs = cos.segment();
        MemorySegment ss = sin.segment();
        MemorySegment os = out.segment();
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / (heads * seq);
                int t = r % seq;
                long xo = x.offset() + (long) r * dim;
                long oo = (long) r * dim;
                long table = ((long) (tableBatch == 1 ? 0 : b) * seq + t) * dim;
                long co = cos.offset() + table;
                long so = sin.offset() + table;
                if (transpose) {
                    m.mulAddMul(xs, xo, cs, co, xs, xo + h, ss, so + h, 1, os, oo, h);
                    m.mulAddMul(xs, xo + h, cs, co + h, xs, xo, ss, so, -1, os, oo + h, h);
                } else {
                    m.mulAddMul(xs, xo, cs, co, xs, xo + h, ss, so, -1, os, oo, h);
                    m.mulAddMul(xs, xo + h, cs, co + h, xs, xo, ss, so + h, 1, os, oo + h, h);
                }
            }
        });
    }
}
