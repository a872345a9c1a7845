package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.L;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.SPECIES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * SGEMM straight from the operands, without packing: for products too small, or with too few
 * rows of C, for packing to pay off. Such products are bound by reading B, so each form reads
 * B once per block of rows, front to back:
 *
 * <ul>
 *   <li>op(B) rows contiguous (B not transposed), the row form: for each p, C(i, j..) +=
 *       A(i,p)·B(p, j..) into an accumulator block of {@value #ROWS} rows × {@value #COLS}
 *       columns held in L1;
 *   <li>op(B) columns contiguous (B transposed), the dot form: C(i, j) = op(A) row i · stored
 *       row j of B, vectorised over k, four B rows at a time (four independent FMA chains, so
 *       FMA latency does not bound it), against op(A) rows copied once to a contiguous scratch.
 * </ul>
 *
 * Each C element is computed the same way whatever the sub-block, so results do not depend on
 * how the work is split.
 */
final class SgemmDirect {

    static final int ROWS = 4;
    static final int COLS = 512;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

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
        float[] acc = scratch(ROWS * COLS);
        MemorySegment b = q.b();
        long bRowBytes = (long) q.ldb() * Float.BYTES;
        for (int ib = i0; ib < i1; ib += ROWS) {
            int rows = Math.min(ROWS, i1 - ib);
            for (int jc = j0; jc < j1; jc += COLS) {
                int cols = Math.min(COLS, j1 - jc);
                int full = cols - cols % L;
                VectorMask<Float> tail = SPECIES.indexInRange(full, cols);
                Arrays.fill(acc, 0f);
                long bAt = (q.bOff() + jc) * Float.BYTES;
                for (int p = 0; p < q.k(); p++, bAt += bRowBytes) {
                    for (int r = 0; r < rows; r++) {
                        FloatVector av = FloatVector.broadcast(SPECIES, opA(q, ib + r, p));
                        int t = r * COLS;
                        int v = 0;
                        for (; v < full; v += L) {
                            FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b,
                                    bAt + (long) v * Float.BYTES, LE);
                            bv.fma(av, FloatVector.fromArray(SPECIES, acc, t + v))
                                    .intoArray(acc, t + v);
                        }
                        if (v < cols) {
                            FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b,
                                    bAt + (long) v * Float.BYTES, LE, tail);
                            bv.fma(av, FloatVector.fromArray(SPECIES, acc, t + v))
                                    .intoArray(acc, t + v);
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    store(q, ib + r, jc, acc, r * COLS, cols);
                }
            }
        }
    }

    private static void store(SgemmProblem q, int i, int j, float[] acc, int from, int cols) {
        long at = (q.cOff() + (long) i * q.ldc() + j) * Float.BYTES;
        for (int v = 0; v < cols; v += L, at += (long) L * Float.BYTES) {
            VectorMask<Float> live = SPECIES.indexInRange(v, cols);
            FloatVector x = FloatVector.fromArray(SPECIES, acc, from + v);
            if (q.accumulate()) {
                x = x.add(FloatVector.fromMemorySegment(SPECIES, q.c(), at, LE, live));
            }
            x.intoMemorySegment(q.c(), at, LE, live);
        }
    }

    private static void dotForm(SgemmProblem q, int i0, int i1, int j0, int j1) {
        int k = q.k();
        int rows = i1 - i0;
        float[] a = scratch(rows * k);
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < k; p++) {
                a[r * k + p] = opA(q, i0 + r, p);
            }
        }
        long bRow = (long) q.ldb() * Float.BYTES;
        int kFull = k - k % L;
        VectorMask<Float> tail = SPECIES.indexInRange(kFull, k);
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            long b0 = (q.bOff() + (long) j * q.ldb()) * Float.BYTES;
            for (int r = 0; r < rows; r++) {
                FloatVector s0 = FloatVector.zero(SPECIES);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                int p = 0;
                for (; p < kFull; p += L) {
                    FloatVector av = FloatVector.fromArray(SPECIES, a, r * k + p);
                    long at = b0 + (long) p * Float.BYTES;
                    s0 = load(q, at).fma(av, s0);
                    s1 = load(q, at + bRow).fma(av, s1);
                    s2 = load(q, at + 2 * bRow).fma(av, s2);
                    s3 = load(q, at + 3 * bRow).fma(av, s3);
                }
                if (p < k) {
                    FloatVector av = FloatVector.fromArray(SPECIES, a, r * k + p, tail);
                    long at = b0 + (long) p * Float.BYTES;
                    s0 = load(q, at, tail).fma(av, s0);
                    s1 = load(q, at + bRow, tail).fma(av, s1);
                    s2 = load(q, at + 2 * bRow, tail).fma(av, s2);
                    s3 = load(q, at + 3 * bRow, tail).fma(av, s3);
                }
                put(q, i0 + r, j, s0);
                put(q, i0 + r, j + 1, s1);
                put(q, i0 + r, j + 2, s2);
                put(q, i0 + r, j + 3, s3);
            }
        }
        for (; j < j1; j++) {
            long b0 = (q.bOff() + (long) j * q.ldb()) * Float.BYTES;
            for (int r = 0; r < rows; r++) {
                FloatVector s = FloatVector.zero(SPECIES);
                int p = 0;
                for (; p < kFull; p += L) {
                    FloatVector av = FloatVector.fromArray(SPECIES, a, r * k + p);
                    s = load(q, b0 + (long) p * Float.BYTES).fma(av, s);
                }
                if (p < k) {
                    FloatVector av = FloatVector.fromArray(SPECIES, a, r * k + p, tail);
                    s = load(q, b0 + (long) p * Float.BYTES, tail).fma(av, s);
                }
                put(q, i0 + r, j, s);
            }
        }
    }

    private static FloatVector load(SgemmProblem q, long byteOffset) {
        return FloatVector.fromMemorySegment(SPECIES, q.b(), byteOffset, LE);
    }

    private static FloatVector load(SgemmProblem q, long byteOffset, VectorMask<Float> live) {
        return FloatVector.fromMemorySegment(SPECIES, q.b(), byteOffset, LE, live);
    }

    /** C(i, j) = the lanes of {@code s} summed (+ C(i, j)). */
    private static void put(SgemmProblem q, int i, int j, FloatVector s) {
        float v = s.reduceLanes(VectorOperators.ADD);
        long at = q.cOff() + (long) i * q.ldc() + j;
        if (q.accumulate()) {
            v += q.c().getAtIndex(F32, at);
        }
        q.c().setAtIndex(F32, at, v);
    }

    private static float opA(SgemmProblem q, int i, int p) {
        long at = q.transA() ? (long) p * q.lda() + i : (long) i * q.lda() + p;
        return q.a().getAtIndex(F32, q.aOff() + at);
    }

    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }
}
