package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * The backward pass of {@link FlashAttention}: recomputes Pᵢⱼ = exp(scale·qᵢ·kⱼ − Lᵢ) from the
 * saved log-sum-exp and accumulates dK, dV (pass 1, one task per batch, kv head and key block)
 * and dQ (pass 2, one task per batch, query head and query block). Each gradient row is written
 * by exactly one task in a fixed order, so the result is deterministic.
 */
final class FlashAttentionBackward {

    private FlashAttentionBackward() {
    }

    /** Returns {dq, dk, dv}; every tensor argument has unit last stride in the compute dtype. */
    static Tensor[] run(AttentionGeometry geo, RowMath m, Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
        Ctx c = new Ctx(geo, m, gOut, q, k, v, lse, out);
        Tensor dq = Tensor.zeros(out.dtype(), q.shape());
        Tensor dk = Tensor.zeros(out.dtype(), k.shape());
        Tensor dv = Tensor.zeros(out.dtype(), k.shape());
        int keyBlocks = FlashAttention.blocks(geo.keys, FlashAttention.KEY_BLOCK);
        Parallel.forRange(geo.batch * geo.kvHeads * keyBlocks, 1, (t0, t1) -> {
            for (int task = t0; task < t1; task++) {
                keyValueBlock(c, task / keyBlocks, task % keyBlocks, dk, dv);
            }
        });
        int queryBlocks = FlashAttention.blocks(geo.queries, FlashAttention.QUERY_BLOCK);
        Parallel.forRange(geo.batch * geo.queryHeads * queryBlocks, 1, (t0, t1) -> {
            for (int task = t0; task < t1; task++) {
                queryBlock(c, task / queryBlocks, task % queryBlocks, dq);
            }
        });
        return new Tensor[] {dq, dk, dv};
    }

    /** What both passes read: operands, their strides and Δᵢ = dOᵢ·Oᵢ. */
    private static final class Ctx {
        final AttentionGeometry geo;
        final RowMath m;
        final Tensor g;
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final long[] gs;
        final long[] qs;
        final long[] ks;
        final long[] vs;
        final MemorySegment gm;
        final MemorySegment qm;
        final MemorySegment km;
        final MemorySegment vm;
        final double[] lse;
        final double[] delta;

        Ctx(AttentionGeometry geo, RowMath m, Tensor g, Tensor q, Tensor k, Tensor v, Tensor lse, Tensor out) {
            this.geo = geo;
            this.m = m;
            this.g = g;
            this.q = q;
            this.k = k;
            this.v = v;
            gs = g.strides();
            qs = q.strides();
            ks = k.strides();
            vs = v.strides();
            gm = g.segment();
            qm = q.segment();
            km = k.segment();
            vm = v.segment();
            this.lse = lse.toDoubleArray();
            delta = new double[this.lse.length];
            long[] os = out.strides();
            int perBatch = geo.queryHeads * geo.queries;
            Parallel.forRange(delta.length, 256, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int b = r / perBatch;
                    int h = r % perBatch / geo.queries;
                    int i = r % geo.queries;
                    delta[r] = m.dot(g.segment(), AttentionGeometry.row(g, gs, b, h, i),
                            out.segment(), AttentionGeometry.row(out, os, b, h, i), geo.dim);
                }
            });
        }

        int index(int b, int h, int i) {
            return (b * geo.queryHeads + h) * geo.queries + i;
        }
    }

    /** dK and dV rows [j0, j1) of kv head hk: sums over every query of the group's heads. */
    private static void keyValueBlock(Ctx c, int bhk, int kb, Tensor dk, Tensor dv) {
        AttentionGeometry geo = c.geo;
        RowMath m = c.m;
        int b = bhk / geo.kvHeads;
        int hk = bhk % geo.kvHeads;
        int j0 = kb * FlashAttention.KEY_BLOCK;
        int j1 = Math.min(geo.keys, j0 + FlashAttention.KEY_BLOCK);
        long[] dks = dk.strides();
        long[] dvs = dv.strides();
        for (int h = hk * geo.group; h < (hk + 1) * geo.group; h++) {
            for (int i = geo.queryStart(j0); i < geo.queries; i++) {
                int r = c.index(b, h, i);
                double l = c.lse[r];
                if (l == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                long qo = AttentionGeometry.row(c.q, c.qs, b, h, i);
                long go = AttentionGeometry.row(c.g, c.gs, b, h, i);
                int jMax = Math.min(j1, geo.keyEnd(i));
                for (int j = j0; j < jMax; j++) {
                    if (!geo.kept(b, j)) {
                        continue;
                    }
                    double p = Math.exp(geo.scale * m.dot(c.qm, qo, c.km,
                            AttentionGeometry.row(c.k, c.ks, b, hk, j), geo.dim) - l);
                    double dp = m.dot(c.gm, go, c.vm, AttentionGeometry.row(c.v, c.vs, b, hk, j), geo.dim);
                    double ds = p * (dp - c.delta[r]);
                    m.axpy(p, c.gm, go, dv.segment(), AttentionGeometry.row(dv, dvs, b, hk, j), geo.dim);
                    m.axpy(geo.scale * ds, c.qm, qo, dk.segment(), AttentionGeometry.row(dk, dks, b, hk, j), geo.dim);
                }
            }
        }
    }

    /** dQ rows of one query block of head h. */
    private static void queryBlock(Ctx c, int bh, int qb, Tensor dq) {
        AttentionGeometry geo = c.geo;
        RowMath m = c.m;
        int b = bh / geo.queryHeads;
        int h = bh % geo.queryHeads;
        int hk = h / geo.group;
        int i0 = qb * FlashAttention.QUERY_BLOCK;
        int i1 = Math.min(geo.queries, i0 + FlashAttention.QUERY_BLOCK);
        long[] dqs = dq.strides();
        for (int i = i0; i < i1; i++) {
            int r = c.index(b, h, i);
            double l = c.lse[r];
            if (l == Double.NEGATIVE_INFINITY) {
                continue;
            }
            long qo = AttentionGeometry.row(c.q, c.qs, b, h, i);
            long go = AttentionGeometry.row(c.g, c.gs, b, h, i);
            long dqo = AttentionGeometry.row(dq, dqs, b, h, i);
            int jEnd = geo.keyEnd(i);
            for (int j = 0; j < jEnd; j++) {
                if (!geo.kept(b, j)) {
                    continue;
                }
                long ko = AttentionGeometry.row(c.k, c.ks, b, hk, j);
                double p = Math.exp(geo.scale * m.dot(c.qm, qo, c.km, ko, geo.dim) - l);
                double dp = m.dot(c.gm, go, c.vm, AttentionGeometry.row(c.v, c.vs, b, hk, j), geo.dim);
                m.axpy(geo.scale * p * (dp - c.delta[r]), c.km, ko, dq.segment(), dqo, geo.dim);
            }
        }
    }
}
