package io.rlhf4j.inference;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Attention for {@link PagedKVCache}: on the CPU, a paged-attention kernel (vLLM's
 * PagedAttention, Kwon et al. 2023) reads keys and values straight from the pool's blocks through
 * the rows' block tables, so nothing is gathered; elsewhere (CUDA tensors) it falls back to a
 * gathered copy and the engine's scaled dot-product attention (the FlashAttention kernels).
 *
 * <p>Each task owns one (row, query head, query) and walks the row's keys once with an online
 * softmax in double (running max m and sum l, the accumulator rescaled by e^(m_old − m_new) when
 * the max grows), so the work split never changes a result. Causality is aligned bottom-right
 * (query i of T sees keys j ≤ i + S − T, what a cache needs); a query with every key masked gets
 * output 0, as in the engine's attention. Inference only: no autograd history is recorded.
 */
public final class OptimizedAttention {

    /** Multiply-adds below which the kernel runs on the calling thread (a decode step of a small model). */
    private static final long SERIAL_WORK = 1 << 18;

    private OptimizedAttention() {
    }

    /** Whether {@link #paged} serves tensors like {@code q}: CPU queries and an F32 pool. */
    static boolean pagedApplies(Tensor q, KvBlockPool pool) {
        return q.device().kind() == Device.Kind.CPU && pool.dtype() == DType.F32;
    }

    /**
     * softmax(q·kᵀ·scale + mask)·v with k and v the first {@code keys} positions of each row's blocks.
     *
     * @param q       [B, Hq, T, D]; Hq a multiple of the pool's key/value heads
     * @param tables  each row's block table (at least ⌈keys / blockSize⌉ blocks)
     * @param keyMask [B, keys] (non-zero = attend) or null
     * @param scale   NaN for 1/√D
     * @return [B, Hq, T, D] F32 (stored [B, T, Hq, D], so transpose(1, 2) is contiguous)
     */
    public static Tensor paged(Tensor q, KvBlockPool pool, int layer, int[][] tables, int keys, Tensor keyMask,
            double scale) {
        int batch = q.shape(0);
        int heads = q.shape(1);
        int queries = q.shape(2);
        int dim = q.shape(3);
        if (q.rank() != 4 || dim != pool.headDim() || heads % pool.kvHeads() != 0 || batch != tables.length) {
            throw new IllegalArgumentException("queries " + Arrays.toString(q.shape()) + " do not fit the pool ("
                    + pool.kvHeads() + " key/value heads of dimension " + pool.headDim() + ") and " + tables.length
                    + " block tables");
        }
        if (keyMask != null && (keyMask.rank() != 2 || keyMask.shape(0) != batch || keyMask.shape(1) != keys)) {
            throw new IllegalArgumentException("key mask must be [" + batch + ", " + keys + "], got "
                    + Arrays.toString(keyMask.shape()));
        }
        if (keys < queries) {
            throw new IllegalArgumentException(queries + " queries need at least as many keys, got " + keys);
        }
        double s = Double.isNaN(scale) ? 1 / Math.sqrt(dim) : scale;
        float[] qa = q.detach().to(DType.F32).contiguous().toFloatArray();
        boolean[] keep = keep(keyMask);
        int group = heads / pool.kvHeads();
        int blockSize = pool.blockSize();
        Tensor kt = pool.keyStorage(layer);
        Tensor vt = pool.valueStorage(layer);
        MemorySegment km = kt.segment();
        MemorySegment vm = vt.segment();
        long kBase = kt.offset();
        long vBase = vt.offset();
        long blockStride = (long) pool.kvHeads() * blockSize * dim;
        int diagonal = keys - queries;
        float[] out = new float[batch * queries * heads * dim];
        int tasks = batch * heads * queries;
        long work = 2L * tasks * keys * dim;
        Parallel.forRange(tasks, work < SERIAL_WORK ? tasks : 1, (t0, t1) -> {
            double[] acc = new double[dim];
            for (int task = t0; task < t1; task++) {
                int b = task / (heads * queries);
                int h = task / queries % heads;
                int i = task % queries;
                int qo = ((b * heads + h) * queries + i) * dim;
                long headOffset = (long) (h / group) * blockSize * dim;
                Arrays.fill(acc, 0);
                double max = Double.NEGATIVE_INFINITY;
                double sum = 0;
                int end = i + diagonal + 1;
                for (int j = 0; j < end; j++) {
                    if (keep != null && !keep[b * keys + j]) {
                        continue;
                    }
                    long row = tables[b][j / blockSize] * blockStride + headOffset + (long) (j % blockSize) * dim;
                    double dot = 0;
                    for (int d = 0; d < dim; d++) {
                        dot += (double) qa[qo + d] * km.getAtIndex(TypedAccess.F32, kBase + row + d);
                    }
                    double score = s * dot;
                    if (score > max) {
                        double alpha = Math.exp(max - score);
                        for (int d = 0; d < dim; d++) {
                            acc[d] *= alpha;
                        }
                        sum *= alpha;
                        max = score;
                    }
                    double p = Math.exp(score - max);
                    sum += p;
                    for (int d = 0; d < dim; d++) {
                        acc[d] += p * vm.getAtIndex(TypedAccess.F32, vBase + row + d);
                    }
                }
                int oo = ((b * queries + i) * heads + h) * dim;
                for (int d = 0; d < dim && sum > 0; d++) {
                    out[oo + d] = (float) (acc[d] / sum);
                }
            }
        });
        return Tensor.of(out, batch, queries, heads, dim).transpose(1, 2);
    }

    private static boolean[] keep(Tensor keyMask) {
        if (keyMask == null) {
            return null;
        }
        double[] m = keyMask.toDoubleArray();
        boolean[] keep = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            keep[i] = m[i] != 0;
        }
        return keep;
    }
}
