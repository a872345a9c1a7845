package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.cpu.Sgemm;
import io.rlhf4j.engine.cpu.VectorMath;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The F32 backward of {@link FlashAttention} for short sequences, on the GEMM: per batch element it
 * materialises the [Hq, T, S] score matrices (two of them, bounded by {@link #MAX_SCORES}), so each
 * product is one packed SGEMM instead of one dot per (query, key) pair recomputed in two passes.
 *
 * <p>With Pᵢⱼ = exp(scale·qᵢ·kⱼ − Lᵢ) (L the forward's log-sum-exp), Δᵢ = dOᵢ·Oᵢ and
 * dSᵢⱼ = scale·Pᵢⱼ·(dOᵢ·vⱼ − Δᵢ): dV = Pᵀ·dO, dK = dSᵀ·Q, dQ = dS·K (FlashAttention-2, Dao 2023,
 * Algorithm 2), masked pairs contributing 0. The query heads of a kv group add into dK and dV in
 * head order through the GEMM's accumulate flag; every output element is computed by one thread in
 * a fixed order, so results are bitwise reproducible for any thread count.
 */
final class AttentionBackwardGemm {

    /** Score elements per matrix (per batch element) up to which this path is used: 64 MiB of F32. */
    static final long MAX_SCORES = 16L << 20;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private AttentionBackwardGemm() {
    }

    static boolean fits(AttentionGeometry geo) {
        return (long) geo.queryHeads * geo.queries * geo.keys <= MAX_SCORES;
    }

    /** Returns {dq, dk, dv}, all F32; the tensors are F32 with unit last stride. */
    static Tensor[] run(AttentionGeometry geo, Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
        Tensor g = rowMajor(gOut, geo.dim);
        Tensor qc = rowMajor(q, geo.dim);
        Tensor kc = rowMajor(k, geo.dim);
        Tensor vc = rowMajor(v, geo.dim);
        double[] delta = delta(geo, g, out);
        double[] l = lse.toDoubleArray();
        Tensor dq = Tensor.empty(DType.F32, q.shape());
        Tensor dk = Tensor.empty(DType.F32, k.shape());
        Tensor dv = Tensor.empty(DType.F32, k.shape());
        Tensor p = Tensor.empty(DType.F32, geo.queryHeads, geo.queries, geo.keys);
        Tensor ds = Tensor.empty(DType.F32, geo.queryHeads, geo.queries, geo.keys);
        for (int b = 0; b < geo.batch; b++) {
            // S = Q·Kᵀ into p, dP = dO·Vᵀ into ds, then both turned into P and dS in place.
            perGroupHead(geo, false, true, geo.queries, geo.keys, geo.dim, qc, b, kc, b, p, false);
            perGroupHead(geo, false, true, geo.queries, geo.keys, geo.dim, g, b, vc, b, ds, false);
            probabilities(geo, b, p, ds, l, delta);
            perGroupHead(geo, true, false, geo.keys, geo.dim, geo.queries, p, -1, g, b, slice(dv, b), true);
            perGroupHead(geo, true, false, geo.keys, geo.dim, geo.queries, ds, -1, qc, b, slice(dk, b), true);
            perGroupHead(geo, false, false, geo.queries, geo.dim, geo.keys, ds, -1, kc, b, slice(dq, b), false);
        }
        return new Tensor[] {dq, dk, dv};
    }

    /**
     * For each position g in a kv group, one batched GEMM over the kv heads: query head
     * hk·group + g pairs with kv head hk. Operands are rank-4 [B, H, rows, D] tensors at batch
     * element {@code b} (query-headed or kv-headed by their second dimension) or, with b = −1, the
     * [Hq, rows, cols] score buffers. {@code sumGroup}: the output is kv-headed and the group's
     * products add up in it, in head order.
     *
     * <p>When a group's query heads lie back to back in memory (head stride = rows · row stride,
     * as in a contiguous [B, H, T, D] tensor) they are one matrix of group·rows rows: against one
     * kv head that is a single taller product (or, for a group sum, one product with a group·rows
     * long inner dimension), so kv heads × 1 larger GEMMs replace group × kv heads small ones.
     */
    static void perGroupHead(AttentionGeometry geo, boolean transA, boolean transB, int m, int n, int kk,
            Tensor a, int ab, Tensor bt, int bb, Tensor c, boolean sumGroup) {
        int g = geo.group;
        if (g > 1 && !sumGroup && !transA && stacks(a, geo, m) && stacks(c, geo, m) && !queryHeaded(bt, geo)) {
            Operand oa = Operand.of(a, ab, geo, 0);
            Operand ob = Operand.of(bt, bb, geo, 0);
            Operand oc = Operand.of(c, -1, geo, 0);
            Sgemm.sgemmBatched(false, transB, geo.kvHeads, g * m, n, kk, oa.segment, oa.offset, oa.headStride, oa.ld,
                    ob.segment, ob.offset, ob.headStride, ob.ld, oc.segment, oc.offset, oc.headStride, oc.ld, false);
            return;
        }
        if (g > 1 && sumGroup && transA && !transB && stacks(a, geo, kk) && stacks(bt, geo, kk)) {
            Operand oa = Operand.of(a, ab, geo, 0);
            Operand ob = Operand.of(bt, bb, geo, 0);
            Operand oc = Operand.of(c, -1, geo, 0);
            Sgemm.sgemmBatched(true, false, geo.kvHeads, m, n, g * kk, oa.segment, oa.offset, oa.headStride, oa.ld,
                    ob.segment, ob.offset, ob.headStride, ob.ld, oc.segment, oc.offset, oc.headStride, oc.ld, false);
            return;
        }
        for (int gi = 0; gi < g; gi++) {
            Operand oa = Operand.of(a, ab, geo, gi);
            Operand ob = Operand.of(bt, bb, geo, gi);
            Operand oc = Operand.of(c, -1, geo, gi);
            Sgemm.sgemmBatched(transA, transB, geo.kvHeads, m, n, kk,
                    oa.segment, oa.offset, oa.headStride, oa.ld,
                    ob.segment, ob.offset, ob.headStride, ob.ld,
                    oc.segment, oc.offset, oc.headStride, oc.ld, sumGroup && gi > 0);
        }
    }

    private static boolean queryHeaded(Tensor t, AttentionGeometry geo) {
        return t.shape(t.rank() - 3) == geo.queryHeads;
    }

    /** Whether t is query-headed with each head's {@code rows} rows right after the previous head's. */
    private static boolean stacks(Tensor t, AttentionGeometry geo, int rows) {
        long[] s = t.strides();
        int r = s.length;
        return queryHeaded(t, geo) && s[r - 3] == (long) rows * s[r - 2];
    }

    /** Where head (hk·group + g) of a tensor starts, the stride from one kv head's to the next, and its row stride. */
    private record Operand(MemorySegment segment, long offset, long headStride, int ld) {

        static Operand of(Tensor t, int b, AttentionGeometry geo, int g) {
            long[] s = t.strides();
            int r = s.length;
            long base = t.offset() + (b >= 0 ? b * s[0] : 0);
            long head = s[r - 3];
            boolean perQueryHead = queryHeaded(t, geo);
            long offset = base + (perQueryHead ? g * head : 0);
            long stride = perQueryHead ? geo.group * head : head;
            return new Operand(t.segment(), offset, stride, Math.toIntExact(s[r - 2]));
        }
    }

    /** Batch element b of a contiguous [B, H, rows, D] tensor as a [H, rows, D] tensor sharing its storage. */
    static Tensor slice(Tensor t, int b) {
        int[] shape = t.shape();
        int[] inner = {shape[1], shape[2], shape[3]};
        long[] strides = t.strides();
        return new Tensor(t.storage(), t.dtype(), inner, new long[] {strides[1], strides[2], strides[3]},
                t.offset() + b * strides[0]);
    }

    /** The tensor itself when its rows can be GEMM operands (row stride ≥ D, head stride ≥ 0), else a copy. */
    static Tensor rowMajor(Tensor t, int dim) {
        long[] s = t.strides();
        return s[3] == 1 && s[2] >= dim && s[1] >= 0 && s[0] >= 0 ? t : t.contiguous();
    }

    /** Δᵢ = dOᵢ·Oᵢ per (b, h, i). */
    private static double[] delta(AttentionGeometry geo, Tensor g, Tensor out) {
        double[] delta = new double[geo.batch * geo.queryHeads * geo.queries];
        long[] gs = g.strides();
        long[] os = out.strides();
        int perBatch = geo.queryHeads * geo.queries;
        Parallel.forRange(delta.length, 256, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / perBatch;
                int h = r % perBatch / geo.queries;
                int i = r % geo.queries;
                delta[r] = RowMath.F32.dot(g.segment(), AttentionGeometry.row(g, gs, b, h, i),
                        out.segment(), AttentionGeometry.row(out, os, b, h, i), geo.dim);
            }
        });
        return delta;
    }

    /**
     * p holds the scores qᵢ·kⱼ and ds the products dOᵢ·vⱼ of batch element b; replaces them with
     * Pᵢⱼ and dSᵢⱼ, 0 where the pair is masked (causal, padding, or a fully masked query).
     */
    private static void probabilities(AttentionGeometry geo, int b, Tensor p, Tensor ds, double[] lse, double[] delta) {
        MemorySegment pm = p.segment();
        MemorySegment dm = ds.segment();
        int keys = geo.keys;
        float scale = (float) geo.scale;
        Parallel.forRange(geo.queryHeads * geo.queries, 16, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int i = r % geo.queries;
                int index = b * geo.queryHeads * geo.queries + r;
                long row = (long) r * keys;
                float l = (float) lse[index];
                int end = l == Float.NEGATIVE_INFINITY ? 0 : geo.keyEnd(i);
                FloatVector vScale = FloatVector.broadcast(F, scale);
                FloatVector vL = FloatVector.broadcast(F, l);
                FloatVector vDelta = FloatVector.broadcast(F, (float) delta[index]);
                for (int j = 0; j < keys; j += F.length()) {
                    VectorMask<Float> lanes = F.indexInRange(j, keys);
                    long at = (row + j) * 4;
                    FloatVector s = FloatVector.fromMemorySegment(F, pm, at, LE, lanes);
                    FloatVector dp = FloatVector.fromMemorySegment(F, dm, at, LE, lanes);
                    FloatVector pv = VectorMath.exp(s.mul(vScale).sub(vL));
                    VectorMask<Float> live = F.indexInRange(j, end);
                    pv = pv.blend(0f, live.not());
                    FloatVector dsv = pv.mul(dp.sub(vDelta)).mul(vScale);
                    pv.intoMemorySegment(pm, at, LE, lanes);
                    dsv.intoMemorySegment(dm, at, LE, lanes);
                }
                if (end > 0 && !geo.allKept(b)) {
                    for (int j = 0; j < end; j++) {
                        if (!geo.kept(b, j)) {
                            pm.setAtIndex(TypedAccess.F32, row + j, 0f);
                            dm.setAtIndex(TypedAccess.F32, row + j, 0f);
                        }
                    }
                }
            }
        });
    }
}
