package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.cpu.VectorMath;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The F32 forward of {@link FlashAttention} for prompts and training sequences short enough that a
 * batch element's [Hq, T, S] score matrix fits {@link AttentionBackwardGemm#MAX_SCORES}: S = Q·Kᵀ and
 * O = P·V are packed SGEMMs, and a row kernel turns scores into probabilities in between,
 * P = exp(scale·S − m)/l with m the row max and l = Σ exp(scale·S − m), recording L = m + log l for
 * backward. The score buffer lives in a nested scope and is freed before this returns. Every
 * element is computed by one thread in a fixed order: bitwise reproducible for any thread count.
 */
final class AttentionForwardGemm {

    /** Below this many queries (decoding) the row kernel's online softmax is as fast. */
    static final int MIN_QUERIES = 16;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private AttentionForwardGemm() {
    }

    static boolean applies(AttentionGeometry geo) {
        return geo.queries >= MIN_QUERIES && AttentionBackwardGemm.fits(geo);
    }

    /** Writes out [B, Hq, T, D] (F32, unit last stride) and lse [B, Hq, T] (F64). */
    static void run(AttentionGeometry geo, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
        Tensor qc = AttentionBackwardGemm.rowMajor(q, geo.dim);
        Tensor kc = AttentionBackwardGemm.rowMajor(k, geo.dim);
        Tensor vc = AttentionBackwardGemm.rowMajor(v, geo.dim);
        try (var _ = Memory.scope()) {
            Tensor p = Tensor.empty(DType.F32, geo.queryHeads, geo.queries, geo.keys);
            for (int b = 0; b < geo.batch; b++) {
                AttentionBackwardGemm.perGroupHead(geo, false, true, geo.queries, geo.keys, geo.dim, qc, b, kc, b, p, false);
                softmaxRows(geo, b, p, lse);
                AttentionBackwardGemm.perGroupHead(geo, false, false, geo.queries, geo.dim, geo.keys, p, -1, vc, b,
                        AttentionBackwardGemm.slice(out, b), false);
            }
        }
    }

    private static void softmaxRows(AttentionGeometry geo, int b, Tensor p, Tensor lse) {
        MemorySegment pm = p.segment();
        MemorySegment lm = lse.segment();
        int keys = geo.keys;
        float scale = (float) geo.scale;
        Parallel.forRange(geo.queryHeads * geo.queries, 16, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int i = r % geo.queries;
                long row = (long) r * keys;
                int end = geo.keyEnd(i);
                if (!geo.allKept(b)) {
                    for (int j = 0; j < end; j++) {
                        if (!geo.kept(b, j)) {
                            pm.setAtIndex(TypedAccess.F32, row + j, Float.NEGATIVE_INFINITY);
                        }
                    }
                }
                FloatVector vScale = FloatVector.broadcast(F, scale);
                FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                for (int j = 0; j < end; j += F.length()) {
                    VectorMask<Float> lanes = F.indexInRange(j, end);
                    FloatVector s = FloatVector.fromMemorySegment(F, pm, (row + j) * 4, LE, lanes).mul(vScale);
                    maxes = maxes.lanewise(VectorOperators.MAX, s.blend(Float.NEGATIVE_INFINITY, lanes.not()));
                }
                // max is exact in any order, unlike a lane sum
                float max = maxes.reduceLanes(VectorOperators.MAX);
                long index = (long) b * geo.queryHeads * geo.queries + r;
                if (max == Float.NEGATIVE_INFINITY) {
                    MemorySegment.copy(new float[keys], 0, pm, TypedAccess.F32, row * 4, keys);
                    lm.setAtIndex(TypedAccess.F64, index, Double.NEGATIVE_INFINITY);
                    continue;
                }
                FloatVector vMax = FloatVector.broadcast(F, max);
                FloatVector sums = FloatVector.zero(F);
                for (int j = 0; j < keys; j += F.length()) {
                    VectorMask<Float> lanes = F.indexInRange(j, keys);
                    long at = (row + j) * 4;
                    FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(F, pm, at, LE, lanes).mul(vScale).sub(vMax))
                            .blend(0f, F.indexInRange(j, end).not());
                    sums = sums.add(e);
                    e.intoMemorySegment(pm, at, LE, lanes);
                }
                float sum = VectorMath.sum(sums);
                FloatVector inv = FloatVector.broadcast(F, 1 / sum);
                for (int j = 0; j < end; j += F.length()) {
                    VectorMask<Float> lanes = F.indexInRange(j, end);
                    long at = (row + j) * 4;
                    FloatVector.fromMemorySegment(F, pm, at, LE, lanes).mul(inv).intoMemorySegment(pm, at, LE, lanes);
                }
                lm.setAtIndex(TypedAccess.F64, index, max + Math.log(sum));
            }
        });
    }
}
