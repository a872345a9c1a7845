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
import jdk.incubator.vector.VectorShuffle;

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
 *       row j of B, vectorised over k, four B rows at a time (four independent FMA chains, so
 *       FMA latency does not bound it), against L2-sized blocks of op(A) rows, read in place or,
 *       when A is transposed, copied to a contiguous scratch.
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

    /**
     * Shuffles pairing lane i with lane i⊕h, for h = L/2, L/4, …, 1: the dot form sums the lanes
     * of its accumulators in this fixed pairwise order, written out at each use (a helper taking
     * a vector can miss inlining and box it). Not {@code reduceLanes(ADD)}: its float order is
     * unspecified and differs between JIT tiers (a test caught one element summed two ways), so
     * results would depend on JIT state.
     */
    private static final VectorShuffle<Float>[] HALVES = halves();

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
        for (; j + 4 <= j1; j += 4) {
            dotFour(q, a, aAt, aRow, i0, i1, j);
        }
        for (; j < j1; j++) {
            dotOne(q, a, aAt, aRow, i0, i1, j);
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
            for (VectorShuffle<Float> swap : HALVES) {
                s0 = s0.add(s0.rearrange(swap));
                s1 = s1.add(s1.rearrange(swap));
                s2 = s2.add(s2.rearrange(swap));
                s3 = s3.add(s3.rearrange(swap));
            }
            put(q, i, j, s0.lane(0));
            put(q, i, j + 1, s1.lane(0));
            put(q, i, j + 2, s2.lane(0));
            put(q, i, j + 3, s3.lane(0));
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
            for (VectorShuffle<Float> swap : HALVES) {
                s = s.add(s.rearrange(swap));
            }
            put(q, i, j, s.lane(0));
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

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] out = new VectorShuffle[steps];
        for (int s = 0, h = L / 2; s < steps; s++, h /= 2) {
            int half = h;
            out[s] = VectorShuffle.fromOp(SPECIES, i -> i ^ half);
        }
        return out;
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
