package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Scaled dot-product attention, softmax(q·kᵀ·scale + mask)·v, computed like FlashAttention-2
 * (Dao 2023): each task owns one (batch, query head, block of {@value #QUERY_BLOCK} queries),
 * walks the keys in blocks of {@value #KEY_BLOCK} with an online softmax (running max m and sum
 * l per query, the output rescaled by e^(m_old − m_new) when the max grows) and keeps only the
 * per-query log-sum-exp L = m + log l for backward. No [T, S] matrix is ever stored.
 *
 * <p>Backward recomputes P = exp(q·kᵀ·scale − L) block by block. With Δᵢ = dOᵢ·Oᵢ and
 * dSᵢⱼ = Pᵢⱼ·(dOᵢ·vⱼ − Δᵢ): dV = Pᵀ·dO, dK = scale·dSᵀ·Q, dQ = scale·dS·K. FlashAttention-2
 * accumulates dQ with atomic adds; to stay deterministic this kernel runs two passes instead,
 * one over (batch, kv head, key block) that owns dK and dV (summing the query heads of its group
 * in order) and one over (batch, query head, query block) that owns dQ, recomputing P in each.
 *
 * <p>Conventions, where they differ from torch: the causal diagonal is aligned bottom-right
 * (query i sees keys j ≤ i + S − T, what a KV cache needs; flash-attn ≥ 2.1 and torch's
 * {@code causal_lower_right} do the same, while torch's {@code is_causal=True} aligns top-left,
 * j ≤ i; the two agree when S = T). A query whose keys are all masked gets output 0 and gradient
 * 0, where torch's SDPA returns NaN for such rows.
 */
public final class FlashAttention {

    static final int QUERY_BLOCK = 64;
    static final int KEY_BLOCK = 64;
    /**
     * Multiply-adds (q·k and p·v) below which the forward runs on the calling thread: a decode
     * step's single query costs less than waking the worker pool.
     */
    static final long SERIAL_WORK = 1 << 18;

    private FlashAttention() {
    }

    /**
     * q [B, Hq, T, D], k and v [B, Hkv, S, D]; keyMask [B, S] (BOOL, integer or float; non-zero =
     * attend) or null; scale NaN means 1/√D.
     */
    public static Tensor apply(Tensor q, Tensor k, Tensor v, Tensor keyMask, boolean causal, double scale) {
        AttentionGeometry geo = new AttentionGeometry(q, k, v, keyMask, causal, scale);
        DType type = q.dtype() == DType.F64 || k.dtype() == DType.F64 || v.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor qc = AttentionGeometry.rows(q, type);
        Tensor kc = AttentionGeometry.rows(k, type);
        Tensor vc = AttentionGeometry.rows(v, type);
        // Stored [B, T, Hq, D], seen as [B, Hq, T, D]: the usual next step, out.transpose(1, 2)
        // .reshape(B, T, Hq·D) for the output projection, is then a view instead of a copy.
        Tensor out = Tensor.zeros(type, geo.batch, geo.queries, geo.queryHeads, geo.dim).transpose(1, 2);
        Tensor lse = Tensor.empty(DType.F64, geo.batch, geo.queryHeads, geo.queries);
        if (type == DType.F32 && AttentionForwardGemm.applies(geo)) {
            AttentionForwardGemm.run(geo, qc, kc, vc, out, lse);
        } else {
            forward(geo, RowMath.of(type), qc, kc, vc, out, lse);
        }
        return Autograd.record(out.to(q.dtype()), "scaled_dot_product_attention", g -> {
            // q, k, v are re-read (widened again for BF16) instead of keeping widened copies alive
            Tensor gr = AttentionGeometry.rows(g, type);
            Tensor qr = AttentionGeometry.rows(q, type);
            Tensor kr = AttentionGeometry.rows(k, type);
            Tensor vr = AttentionGeometry.rows(v, type);
            Tensor[] grads = type == DType.F32 && AttentionBackwardGemm.fits(geo)
                    ? AttentionBackwardGemm.run(geo, gr, qr, kr, vr, out, lse)
                    : FlashAttentionBackward.run(geo, RowMath.of(type), gr, qr, kr, vr, out, lse);
            return new Tensor[] {grads[0].to(q.dtype()), grads[1].to(k.dtype()), grads[2].to(v.dtype()), null};
        }, q, k, v, keyMask);
    }

    static int blocks(int n, int block) {
        return (n + block - 1) / block;
    }

    private static void forward(AttentionGeometry geo, RowMath m, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
        int queryBlocks = blocks(geo.queries, QUERY_BLOCK);
        long[] qs = q.strides();
        long[] ks = k.strides();
        long[] vs = v.strides();
        long[] os = out.strides();
        MemorySegment qm = q.segment();
        MemorySegment km = k.segment();
        MemorySegment vm = v.segment();
        MemorySegment om = out.segment();
        MemorySegment lm = lse.segment();
        int dim = geo.dim;
        int tasks = geo.batch * geo.queryHeads * queryBlocks;
        long work = 2L * geo.batch * geo.queryHeads * geo.queries * geo.keys * dim;
        Parallel.forRange(tasks, work < SERIAL_WORK ? tasks : 1, (t0, t1) -> {
            double[] scores = new double[KEY_BLOCK];
            double[] rowMax = new double[QUERY_BLOCK];
            double[] rowSum = new double[QUERY_BLOCK];
            for (int task = t0; task < t1; task++) {
                int bh = task / queryBlocks;
                int b = bh / geo.queryHeads;
                int h = bh % geo.queryHeads;
                int hk = h / geo.group;
                int i0 = task % queryBlocks * QUERY_BLOCK;
                int i1 = Math.min(geo.queries, i0 + QUERY_BLOCK);
                Arrays.fill(rowMax, Double.NEGATIVE_INFINITY);
                Arrays.fill(rowSum, 0);
                int keyEnd = geo.keyEnd(i1 - 1);
                for (int j0 = 0; j0 < keyEnd; j0 += KEY_BLOCK) {
                    int j1 = Math.min(keyEnd, j0 + KEY_BLOCK);
                    for (int i = i0; i < i1; i++) {
                        int jMax = Math.min(j1, geo.keyEnd(i));
                        long qo = AttentionGeometry.row(q, qs, b, h, i);
                        double blockMax = Double.NEGATIVE_INFINITY;
                        for (int j = j0; j < jMax; j++) {
                            double s = Double.NEGATIVE_INFINITY;
                            if (geo.kept(b, j)) {
                                s = geo.scale * m.dot(qm, qo, km, AttentionGeometry.row(k, ks, b, hk, j), dim);
                                blockMax = Math.max(blockMax, s);
                            }
                            scores[j - j0] = s;
                        }
                        if (blockMax == Double.NEGATIVE_INFINITY) {
                            continue;
                        }
                        long oo = AttentionGeometry.row(out, os, b, h, i);
                        double old = rowMax[i - i0];
                        double max = Math.max(old, blockMax);
                        if (old != Double.NEGATIVE_INFINITY && max > old) {
                            double alpha = Math.exp(old - max);
                            m.scale(om, oo, alpha, dim);
                            rowSum[i - i0] *= alpha;
                        }
                        double sum = rowSum[i - i0];
                        for (int j = j0; j < jMax; j++) {
                            double s = scores[j - j0];
                            if (s != Double.NEGATIVE_INFINITY) {
                                double p = Math.exp(s - max);
                                sum += p;
                                m.axpy(p, vm, AttentionGeometry.row(v, vs, b, hk, j), om, oo, dim);
                            }
                        }
                        rowSum[i - i0] = sum;
                        rowMax[i - i0] = max;
                    }
                }
                for (int i = i0; i < i1; i++) {
                    double sum = rowSum[i - i0];
                    long li = ((long) b * geo.queryHeads + h) * geo.queries + i;
                    if (sum == 0) {
                        lm.setAtIndex(TypedAccess.F64, li, Double.NEGATIVE_INFINITY);
                    } else {
                        m.scale(om, AttentionGeometry.row(out, os, b, h, i), 1 / sum, dim);
                        lm.setAtIndex(TypedAccess.F64, li, rowMax[i - i0] + Math.log(sum));
                    }
                }
            }
        });
    }
}
