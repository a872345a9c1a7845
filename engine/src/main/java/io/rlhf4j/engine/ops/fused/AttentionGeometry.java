package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.Arrays;

/**
 * The validated shapes, masking rules and strided row addressing of one attention call:
 * q [B, Hq, T, D], k and v [B, Hkv, S, D], query head h reading key/value head h / (Hq / Hkv).
 * Query i may attend key j when the key is kept by the padding mask and, if causal, when
 * j ≤ i + (S − T) (the causal diagonal aligned to the bottom-right corner).
 */
final class AttentionGeometry {

    final int batch;
    final int queryHeads;
    final int kvHeads;
    final int queries;
    final int keys;
    final int dim;
    final int group;
    final boolean causal;
    final int diagonal;
    final double scale;
    private final boolean[] keep;
    /** Per batch element: whether the padding mask keeps every key (an all-ones mask, the usual case). */
    private final boolean[] unpadded;

    AttentionGeometry(Tensor q, Tensor k, Tensor v, Tensor keyMask, boolean causal, double scale) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new IllegalArgumentException("scaledDotProductAttention expects q [B, Hq, T, D], k and v [B, Hkv, S, D]; got q "
                    + Arrays.toString(q.shape()) + ", k " + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
        }
        if (!Arrays.equals(k.shape(), v.shape())) {
            throw new IllegalArgumentException("k " + Arrays.toString(k.shape()) + " and v " + Arrays.toString(v.shape())
                    + " must have the same shape");
        }
        batch = q.shape(0);
        queryHeads = q.shape(1);
        queries = q.shape(2);
        dim = q.shape(3);
        kvHeads = k.shape(1);
        keys = k.shape(2);
        if (k.shape(0) != batch || k.shape(3) != dim) {
            throw new IllegalArgumentException("k " + Arrays.toString(k.shape()) + " does not match q "
                    + Arrays.toString(q.shape()) + " in batch or head dimension");
        }
        if (kvHeads == 0 || queryHeads % kvHeads != 0) {
            throw new IllegalArgumentException("query heads (" + queryHeads + ") must be a multiple of key/value heads ("
                    + kvHeads + ")");
        }
        group = queryHeads / kvHeads;
        this.causal = causal;
        diagonal = keys - queries;
        this.scale = Double.isNaN(scale) ? 1 / Math.sqrt(dim) : scale;
        keep = keyMask == null ? null : readMask(keyMask, batch, keys);
        unpadded = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            unpadded[b] = true;
            for (int j = 0; keep != null && j < keys && unpadded[b]; j++) {
                unpadded[b] = keep[b * keys + j];
            }
        }
    }

    private static boolean[] readMask(Tensor mask, int batch, int keys) {
        if (mask.rank() != 2 || mask.shape(0) != batch || mask.shape(1) != keys) {
            throw new IllegalArgumentException("attention mask must have shape [" + batch + ", " + keys
                    + "] (batch, keys; 1 = attend, 0 = masked), got " + Arrays.toString(mask.shape()));
        }
        double[] values = mask.toDoubleArray();
        boolean[] keep = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            keep[i] = values[i] != 0;
        }
        return keep;
    }

    /** Whether the padding mask keeps key j of batch element b. */
    boolean kept(int b, int j) {
        return keep == null || keep[b * keys + j];
    }

    /** Whether the padding mask keeps every key of batch element b. */
    boolean allKept(int b) {
        return unpadded[b];
    }

    /** One past the last key query i may see under the causal rule (all keys when not causal). */
    int keyEnd(int i) {
        return causal ? Math.max(0, Math.min(keys, i + diagonal + 1)) : keys;
    }

    /** The first query that may see key j under the causal rule. */
    int queryStart(int j) {
        return causal ? Math.max(0, j - diagonal) : 0;
    }

    /** A tensor in {@code type} whose last dimension has unit stride (copied only when needed). */
    static Tensor rows(Tensor t, DType type) {
        Tensor c = t.detach().to(type);
        return c.strides()[3] == 1 ? c : c.contiguous();
    }

    /** Element offset of row [b, h, i, :] of a rank-4 tensor with unit last stride. */
    static long row(Tensor t, long[] strides, int b, int h, int i) {
        return t.offset() + b * strides[0] + h * strides[1] + i * strides[2];
    }
}
