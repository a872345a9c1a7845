package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.L;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.SPECIES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * SGEMM straight from the operands, without packing: for products too small, or too thin (a
 * few rows of C), for packing to pay off. Two forms, chosen by which op(B) direction is
 * contiguous in memory:
 *
 * <ul>
 *   <li>op(B) rows contiguous (B not transposed): C(i, j..j+L) = Σ_p A(i,p)·B(p, j..j+L), one
 *       vector of C at a time, masked at the right edge;
 *   <li>op(B) columns contiguous (B transposed): C(i, j) = op(A) row i · op(B) column j, a
 *       vectorised dot product over k with op(A) row i copied to a contiguous scratch row.
 * </ul>
 *
 * Each C element is computed the same way whatever the sub-block, so results do not depend on
 * how the work is split.
 */
final class SgemmDirect {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private SgemmDirect() {
    }

    /** Computes rows [i0, i1) × columns [j0, j1) of C. */
    static void compute(SgemmProblem q, int i0, int i1, int j0, int j1) {
        if (q.transB()) {
            dotForm(q, i0, i1, j0, j1);
        } else {
            rowForm(q, i0, i1, j0, j1);
        }
    }

    private static void rowForm(SgemmProblem q, int i0, int i1, int j0, int j1) {
        MemorySegment a = q.a();
        MemorySegment b = q.b();
        long aRow = q.transA() ? 1 : q.lda();
        long aCol = q.transA() ? q.lda() : 1;
        long bRowBytes = (long) q.ldb() * Float.BYTES;
        for (int i = i0; i < i1; i++) {
            long aStart = q.aOff() + i * aRow;
            for (int j = j0; j < j1; j += L) {
                VectorMask<Float> live = SPECIES.indexInRange(j, j1);
                long bAt = (q.bOff() + j) * Float.BYTES;
                FloatVector acc = FloatVector.zero(SPECIES);
                long aAt = aStart;
                for (int p = 0; p < q.k(); p++, aAt += aCol, bAt += bRowBytes) {
                    FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b, bAt, LE, live);
                    acc = bv.fma(FloatVector.broadcast(SPECIES, a.getAtIndex(F32, aAt)), acc);
                }
                long cAt = (q.cOff() + (long) i * q.ldc() + j) * Float.BYTES;
                if (q.accumulate()) {
                    acc = acc.add(FloatVector.fromMemorySegment(SPECIES, q.c(), cAt, LE, live));
                }
                acc.intoMemorySegment(q.c(), cAt, LE, live);
            }
        }
    }

    private static void dotForm(SgemmProblem q, int i0, int i1, int j0, int j1) {
        int k = q.k();
        float[] row = scratchRow(k);
        long aRow = q.transA() ? 1 : q.lda();
        long aCol = q.transA() ? q.lda() : 1;
        int kFull = k - k % L;
        for (int i = i0; i < i1; i++) {
            long aAt = q.aOff() + i * aRow;
            for (int p = 0; p < k; p++, aAt += aCol) {
                row[p] = q.a().getAtIndex(F32, aAt);
            }
            for (int j = j0; j < j1; j++) {
                long bAt = (q.bOff() + (long) j * q.ldb()) * Float.BYTES;
                FloatVector acc = FloatVector.zero(SPECIES);
                int p = 0;
                for (; p < kFull; p += L) {
                    FloatVector bv = FloatVector.fromMemorySegment(SPECIES, q.b(),
                            bAt + (long) p * Float.BYTES, LE);
                    acc = bv.fma(FloatVector.fromArray(SPECIES, row, p), acc);
                }
                if (p < k) {
                    VectorMask<Float> live = SPECIES.indexInRange(p, k);
                    FloatVector bv = FloatVector.fromMemorySegment(SPECIES, q.b(),
                            bAt + (long) p * Float.BYTES, LE, live);
                    acc = bv.fma(FloatVector.fromArray(SPECIES, row, p, live), acc);
                }
                float v = acc.reduceLanes(VectorOperators.ADD);
                long cAt = q.cOff() + (long) i * q.ldc() + j;
                if (q.accumulate()) {
                    v += q.c().getAtIndex(F32, cAt);
                }
                q.c().setAtIndex(F32, cAt, v);
            }
        }
    }

    private static float[] scratchRow(int k) {
        float[] row = ROW.get();
        if (row.length < k) {
            row = new float[k];
            ROW.set(row);
        }
        return row;
    }
}
