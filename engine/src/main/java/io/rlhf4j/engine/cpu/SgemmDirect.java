package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.L;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.SPECIES;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * SGEMM straight from the operands, without packing: for products too small, or with too few
 * rows (or, B transposed, columns) of C, for packing to pay off. Such products are bound by
 * reading B, so each form reads B once per block of rows, front to back:
 *
 * <ul>
 *   <li>op(B) rows contiguous (B not transposed), the row form: for each p, C(i, j..) +=
 *       A(i,p)·B(p, j..) into an accumulator block of {@value #ROWS} rows × {@value #COLS}
 *       columns held in L1;
 *   <li>op(B) columns contiguous (B transposed), the dot form: C(i, j) = op(A) row i · stored
 *       row j of B, vectorised over k, sixteen B rows at a time on 16-lane vectors (then four,
 *       then one; independent FMA chains, so FMA latency does not bound it, lanes summed by
 *       {@link LaneSums}), against L2-sized blocks of op(A) rows, read in place or, when A is
 *       transposed, copied to a contiguous scratch.
 * </ul>
 *
 * Each C element is computed the same way whatever the sub-block, so results do not depend on
 * how the work is split.
 */
final class SgemmDirect {

    static final int ROWS = 4;
    static final int COLS = 512;
    /** Accumulator row: COLS and one vector of slack for the always-run masked tail. */
    private static final int ACC_ROW = COLS + L;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Floats of op(A) rows the dot form runs against B at a time (256 KiB, a quarter of L2). */
    private static final int A_BLOCK = 64 * 1024;

    /** Accumulator lanes of {@link #dotFour} and {@link #dotOne}, summed by {@link LaneSums#pairwise}. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * L]);
    /** The accumulators of {@link #dotSixteen}, handed to {@link LaneSums#store16}. */
    private static final ThreadLocal<float[]> SIXTEEN_LANES = ThreadLocal.withInitial(() -> new float[16 * L]);

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<MemorySegment> SCRATCH_ROWS =
            ThreadLocal.withInitial(() -> MemorySegment.NULL);

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
        float[] acc = scratch(ROWS * ACC_ROW);
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
                        int t = r * ACC_ROW;
                        int v = 0;
                        for (; v < full; v += L) {
                            FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b,
                                    bAt + (long) v * Float.BYTES, LE);
                            bv.fma(av, FloatVector.fromArray(SPECIES, acc, t + v))
                                    .intoArray(acc, t + v);
                        }
                        // masked tail, run even when empty: a branch the first compile never
                        // took would leave its vector calls un-inlined (boxing) for good
                        FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b,
                                bAt + (long) v * Float.BYTES, LE, tail);
                        bv.fma(av, FloatVector.fromArray(SPECIES, acc, t + v))
                                .intoArray(acc, t + v);
                    }
                }
                for (int r = 0; r < rows; r++) {
                    long at = (q.cOff() + (long) (ib + r) * q.ldc() + jc) * Float.BYTES;
                    if (q.accumulate()) {
                        addRow(acc, r * ACC_ROW, cols, q.c(), at);
                    } else {
                        storeRow(acc, r * ACC_ROW, cols, q.c(), at);
                    }
                }
            }
        }
    }

    /** C row (from byte {@code at}) = acc[from, from + cols). */
    private static void storeRow(float[] acc, int from, int cols, MemorySegment c, long at) {
        for (int v = 0; v < cols; v += L, at += (long) L * Float.BYTES) {
            FloatVector.fromArray(SPECIES, acc, from + v)
                    .intoMemorySegment(c, at, LE, SPECIES.indexInRange(v, cols));
        }
    }

    /** C row += acc[from, from + cols); apart from {@link #storeRow}: neither is a cold branch. */
    private static void addRow(float[] acc, int from, int cols, MemorySegment c, long at) {
        for (int v = 0; v < cols; v += L, at += (long) L * Float.BYTES) {
            VectorMask<Float> live = SPECIES.indexInRange(v, cols);
            FloatVector.fromArray(SPECIES, acc, from + v)
                    .add(FloatVector.fromMemorySegment(SPECIES, c, at, LE, live))
                    .intoMemorySegment(c, at, LE, live);
        }
    }

    /**
     * Rows of op(A) are taken in blocks of at most {@link #A_BLOCK} floats (L2-sized) and every
     * B row in [j0, j1) is run against a block before the next: a thin C (few rows) reads B once,
     * a narrow one (few columns) reads A once.
     */
    private static void dotForm(SgemmProblem q, int i0, int i1, int j0, int j1) {
        int k = q.k();
        int block = Math.max(1, A_BLOCK / k);
        MemorySegment copy = q.transA() ? scratchRows((long) Math.min(block, i1 - i0) * k) : null;
        for (int ib = i0; ib < i1; ib += block) {
            int ie = Math.min(i1, ib + block);
            if (q.transA()) {
                // op(A) rows are strided in memory: copy the block contiguously
                for (int i = ib; i < ie; i++) {
                    for (int p = 0; p < k; p++) {
                        copy.setAtIndex(F32, (long) (i - ib) * k + p, opA(q, i, p));
                    }
                }
                dotRows(q, copy, 0, (long) k * Float.BYTES, ib, ie, j0, j1);
            } else {
                dotRows(q, q.a(), (q.aOff() + (long) ib * q.lda()) * Float.BYTES,
                        (long) q.lda() * Float.BYTES, ib, ie, j0, j1);
            }
        }
    }

    /** C(i, j) for i in [i0, i1), op(A) row i at {@code aAt + (i - i0)·aRow} bytes of {@code a}. */
    private static void dotRows(SgemmProblem q, MemorySegment a, long aAt, long aRow,
            int i0, int i1, int j0, int j1) {
        int j = j0;
        if (LaneSums.SIXTEEN) {
            for (; j + 16 <= j1; j += 16) {
                dotSixteen(q, a, aAt, aRow, i0, i1, j);
            }
        }
        for (; j + 4 <= j1; j += 4) {
            dotFour(q, a, aAt, aRow, i0, i1, j);
        }
        for (; j < j1; j++) {
            dotOne(q, a, aAt, aRow, i0, i1, j);
        }
    }

    /**
     * Columns j..j+15 (16-lane vectors only): sixteen FMA chains, one per B row, whose lane sums
     * {@link LaneSums} turns into the sixteen C elements as one vector, stored at once. For a
     * few rows of A the B rows stay in L1/L2 while A streams past them. The same arithmetic per
     * element as {@link #dotFour}.
     */
    private static void dotSixteen(SgemmProblem q, MemorySegment a, long aAt, long aRow,
            int i0, int i1, int j) {
        int k = q.k();
        int kFull = k - k % L;
        VectorMask<Float> tail = SPECIES.indexInRange(kFull, k);
        MemorySegment b = q.b();
        long bRow = (long) q.ldb() * Float.BYTES;
        long b0 = (q.bOff() + (long) j * q.ldb()) * Float.BYTES;
        float[] lanes = SIXTEEN_LANES.get();
        for (int i = i0; i < i1; i++) {
            long ai = aAt + (i - i0) * aRow;
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            FloatVector s8 = s0, s9 = s0, s10 = s0, s11 = s0, s12 = s0, s13 = s0, s14 = s0, s15 = s0;
            int p = 0;
            for (; p < kFull; p += L) {
                long at = b0 + (long) p * Float.BYTES;
                FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, ai + (long) p * Float.BYTES, LE);
                s0 = FloatVector.fromMemorySegment(SPECIES, b, at, LE).fma(av, s0);
                s1 = FloatVector.fromMemorySegment(SPECIES, b, at + bRow, LE).fma(av, s1);
                s2 = FloatVector.fromMemorySegment(SPECIES, b, at + 2 * bRow, LE).fma(av, s2);
                s3 = FloatVector.fromMemorySegment(SPECIES, b, at + 3 * bRow, LE).fma(av, s3);
                s4 = FloatVector.fromMemorySegment(SPECIES, b, at + 4 * bRow, LE).fma(av, s4);
                s5 = FloatVector.fromMemorySegment(SPECIES, b, at + 5 * bRow, LE).fma(av, s5);
                s6 = FloatVector.fromMemorySegment(SPECIES, b, at + 6 * bRow, LE).fma(av, s6);
                s7 = FloatVector.fromMemorySegment(SPECIES, b, at + 7 * bRow, LE).fma(av, s7);
                s8 = FloatVector.fromMemorySegment(SPECIES, b, at + 8 * bRow, LE).fma(av, s8);
                s9 = FloatVector.fromMemorySegment(SPECIES, b, at + 9 * bRow, LE).fma(av, s9);
                s10 = FloatVector.fromMemorySegment(SPECIES, b, at + 10 * bRow, LE).fma(av, s10);
                s11 = FloatVector.fromMemorySegment(SPECIES, b, at + 11 * bRow, LE).fma(av, s11);
                s12 = FloatVector.fromMemorySegment(SPECIES, b, at + 12 * bRow, LE).fma(av, s12);
                s13 = FloatVector.fromMemorySegment(SPECIES, b, at + 13 * bRow, LE).fma(av, s13);
                s14 = FloatVector.fromMemorySegment(SPECIES, b, at + 14 * bRow, LE).fma(av, s14);
                s15 = FloatVector.fromMemorySegment(SPECIES, b, at + 15 * bRow, LE).fma(av, s15);
            }
            long at = b0 + (long) p * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, ai + (long) p * Float.BYTES, LE, tail);
            s0 = FloatVector.fromMemorySegment(SPECIES, b, at, LE, tail).fma(av, s0);
            s1 = FloatVector.fromMemorySegment(SPECIES, b, at + bRow, LE, tail).fma(av, s1);
            s2 = FloatVector.fromMemorySegment(SPECIES, b, at + 2 * bRow, LE, tail).fma(av, s2);
            s3 = FloatVector.fromMemorySegment(SPECIES, b, at + 3 * bRow, LE, tail).fma(av, s3);
            s4 = FloatVector.fromMemorySegment(SPECIES, b, at + 4 * bRow, LE, tail).fma(av, s4);
            s5 = FloatVector.fromMemorySegment(SPECIES, b, at + 5 * bRow, LE, tail).fma(av, s5);
            s6 = FloatVector.fromMemorySegment(SPECIES, b, at + 6 * bRow, LE, tail).fma(av, s6);
            s7 = FloatVector.fromMemorySegment(SPECIES, b, at + 7 * bRow, LE, tail).fma(av, s7);
            s8 = FloatVector.fromMemorySegment(SPECIES, b, at + 8 * bRow, LE, tail).fma(av, s8);
            s9 = FloatVector.fromMemorySegment(SPECIES, b, at + 9 * bRow, LE, tail).fma(av, s9);
            s10 = FloatVector.fromMemorySegment(SPECIES, b, at + 10 * bRow, LE, tail).fma(av, s10);
            s11 = FloatVector.fromMemorySegment(SPECIES, b, at + 11 * bRow, LE, tail).fma(av, s11);
            s12 = FloatVector.fromMemorySegment(SPECIES, b, at + 12 * bRow, LE, tail).fma(av, s12);
            s13 = FloatVector.fromMemorySegment(SPECIES, b, at + 13 * bRow, LE, tail).fma(av, s13);
            s14 = FloatVector.fromMemorySegment(SPECIES, b, at + 14 * bRow, LE, tail).fma(av, s14);
            s15 = FloatVector.fromMemorySegment(SPECIES, b, at + 15 * bRow, LE, tail).fma(av, s15);
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            s4.intoArray(lanes, 4 * L);
            s5.intoArray(lanes, 5 * L);
            s6.intoArray(lanes, 6 * L);
            s7.intoArray(lanes, 7 * L);
            s8.intoArray(lanes, 8 * L);
            s9.intoArray(lanes, 9 * L);
            s10.intoArray(lanes, 10 * L);
            s11.intoArray(lanes, 11 * L);
            s12.intoArray(lanes, 12 * L);
            s13.intoArray(lanes, 13 * L);
            s14.intoArray(lanes, 14 * L);
            s15.intoArray(lanes, 15 * L);
            LaneSums.store16(lanes, q.c(), (q.cOff() + (long) i * q.ldc() + j) * Float.BYTES, q.accumulate());
        }
    }

    /**
     * Columns j..j+3. The masked tail runs even when k is a multiple of L (empty mask): as a
     * branch the first compile might never see taken, its vector calls would stay un-inlined.
     */
    private static void dotFour(SgemmProblem q, MemorySegment a, long aAt, long aRow,
            int i0, int i1, int j) {
        int k = q.k();
        int kFull = k - k % L;
        VectorMask<Float> tail = SPECIES.indexInRange(kFull, k);
        MemorySegment b = q.b();
        long bRow = (long) q.ldb() * Float.BYTES;
        long b0 = (q.bOff() + (long) j * q.ldb()) * Float.BYTES;
        long b1 = b0 + bRow;
        long b2 = b1 + bRow;
        long b3 = b2 + bRow;
        float[] lanes = LANES.get();
        for (int i = i0; i < i1; i++) {
            long ai = aAt + (i - i0) * aRow;
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            int p = 0;
            for (; p < kFull; p += L) {
                long off = (long) p * Float.BYTES;
                FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, ai + off, LE);
                s0 = FloatVector.fromMemorySegment(SPECIES, b, b0 + off, LE).fma(av, s0);
                s1 = FloatVector.fromMemorySegment(SPECIES, b, b1 + off, LE).fma(av, s1);
                s2 = FloatVector.fromMemorySegment(SPECIES, b, b2 + off, LE).fma(av, s2);
                s3 = FloatVector.fromMemorySegment(SPECIES, b, b3 + off, LE).fma(av, s3);
            }
            long off = (long) p * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, ai + off, LE, tail);
            s0 = FloatVector.fromMemorySegment(SPECIES, b, b0 + off, LE, tail).fma(av, s0);
            s1 = FloatVector.fromMemorySegment(SPECIES, b, b1 + off, LE, tail).fma(av, s1);
            s2 = FloatVector.fromMemorySegment(SPECIES, b, b2 + off, LE, tail).fma(av, s2);
            s3 = FloatVector.fromMemorySegment(SPECIES, b, b3 + off, LE, tail).fma(av, s3);
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            for (int r = 0; r < 4; r++) {
                put(q, i, j + r, LaneSums.pairwise(lanes, r * L));
            }
        }
    }

    /** Column j alone, the same arithmetic per element as {@link #dotFour}. */
    private static void dotOne(SgemmProblem q, MemorySegment a, long aAt, long aRow,
            int i0, int i1, int j) {
        int k = q.k();
        int kFull = k - k % L;
        VectorMask<Float> tail = SPECIES.indexInRange(kFull, k);
        MemorySegment b = q.b();
        long b0 = (q.bOff() + (long) j * q.ldb()) * Float.BYTES;
        float[] lanes = LANES.get();
        for (int i = i0; i < i1; i++) {
            long ai = aAt + (i - i0) * aRow;
            FloatVector s = FloatVector.zero(SPECIES);
            int p = 0;
            for (; p < kFull; p += L) {
                long off = (long) p * Float.BYTES;
                FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, ai + off, LE);
                s = FloatVector.fromMemorySegment(SPECIES, b, b0 + off, LE).fma(av, s);
            }
            long off = (long) p * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, ai + off, LE, tail);
            s = FloatVector.fromMemorySegment(SPECIES, b, b0 + off, LE, tail).fma(av, s);
            s.intoArray(lanes, 0);
            put(q, i, j, LaneSums.pairwise(lanes, 0));
        }
    }

    /** C(i, j) = v (+ C(i, j)). */
    private static void put(SgemmProblem q, int i, int j, float v) {
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

    private static MemorySegment scratchRows(long floats) {
        MemorySegment s = SCRATCH_ROWS.get();
        if (s.byteSize() < floats * Float.BYTES) {
            s = Arena.ofAuto().allocate(floats * Float.BYTES, 64);
            SCRATCH_ROWS.set(s);
        }
        return s;
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
