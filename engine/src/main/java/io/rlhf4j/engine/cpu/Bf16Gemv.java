package io.rlhf4j.engine.cpu;

import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ for a few F32 rows x [m, k] against a BF16 weight W [n, k] (row-major, as stored by
 * Hugging Face): the inference products of greedy decoding, which are bound by reading W, so
 * reading it as BF16 halves the bytes per token. A BF16 value is the top half of an F32, so a
 * lane widens by sign-extending the 16 bits to 32 and shifting them left by 16. Products
 * accumulate in F32 with FMA, sixteen W rows at a time on 16-lane vectors (then four, then one),
 * one chain per row; the lanes of each accumulator are summed in {@link LaneSums}' pairwise
 * order, the sixteen rows' sums at once as one vector. The widening is written out in the loops,
 * since a helper taking or returning a vector can miss inlining and box it (as SgemmDirect
 * notes). W rows are split across the worker pool; every y element is computed the same way
 * whatever the split or the block it falls in, so results do not depend on the thread count.
 */
public final class Bf16Gemv {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** W rows per task: fewer and the pool's wake-up costs more than the rows' reads. */
    private static final int MIN_ROWS = 256;

    /** Accumulator lanes, summed by {@link LaneSums}: sixteen vectors' worth per thread. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[16 * L]);

    private Bf16Gemv() {
    }

    /**
     * y[i, j] = Σ_p x[i, p]·W[j, p] for i < m, j < n, p < k. Offsets are in elements; x and y
     * are F32 with rows of k and n elements, W is BF16 with rows of k elements.
     */
    public static void gemv(int m, int n, int k, MemorySegment x, long xOff, MemorySegment w, long wOff,
            MemorySegment y, long yOff) {
        Parallel.forRange(n, MIN_ROWS, (j0, j1) -> rows(m, k, x, xOff * Float.BYTES, w, wOff * Short.BYTES,
                y, yOff * Float.BYTES, n, j0, j1));
    }

    private static void rows(int m, int k, MemorySegment x, long xAt, MemorySegment w, long wAt,
            MemorySegment y, long yAt, int n, int j0, int j1) {
        int j = j0;
        if (LaneSums.SIXTEEN) {
            for (; j + 16 <= j1; j += 16) {
                sixteen(m, k, x, xAt, w, wAt + (long) j * k * Short.BYTES, y, yAt, n, j);
            }
        }
        for (; j + 4 <= j1; j += 4) {
            four(m, k, x, xAt, w, wAt + (long) j * k * Short.BYTES, y, yAt, n, j);
        }
        for (; j < j1; j++) {
            one(m, k, x, xAt, w, wAt + (long) j * k * Short.BYTES, y, yAt, n, j);
        }
    }

    /**
     * W rows j..j+15 starting at byte {@code w0} (16-lane vectors only), their sixteen y elements
     * stored as one vector by {@link LaneSums#store16}. The same arithmetic per element as
     * {@link #four}.
     */
    private static void sixteen(int m, int k, MemorySegment x, long xAt, MemorySegment w, long w0,
            MemorySegment y, long yAt, int n, int j) {
        int kFull = k - k % L;
        VectorMask<Short> tailS = S.indexInRange(kFull, k);
        VectorMask<Float> tailF = F.indexInRange(kFull, k);
        long rowBytes = (long) k * Short.BYTES;
        float[] lanes = LANES.get();
        for (int i = 0; i < m; i++) {
            long xi = xAt + (long) i * k * Float.BYTES;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            FloatVector s8 = s0, s9 = s0, s10 = s0, s11 = s0, s12 = s0, s13 = s0, s14 = s0, s15 = s0;
            int p = 0;
            for (; p < kFull; p += L) {
                FloatVector xv = FloatVector.fromMemorySegment(F, x, xi + (long) p * Float.BYTES, LE);
                long off = (long) p * Short.BYTES;
                s0 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s0);
                s1 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s1);
                s2 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 2 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s2);
                s3 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 3 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s3);
                s4 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 4 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s4);
                s5 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 5 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s5);
                s6 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 6 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s6);
                s7 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 7 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s7);
                s8 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 8 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s8);
                s9 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 9 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s9);
                s10 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 10 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s10);
                s11 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 11 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s11);
                s12 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 12 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s12);
                s13 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 13 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s13);
                s14 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 14 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s14);
                s15 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 15 * rowBytes, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s15);
            }
            FloatVector xv = FloatVector.fromMemorySegment(F, x, xi + (long) p * Float.BYTES, LE, tailF);
            long off = (long) p * Short.BYTES;
            s0 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s0);
            s1 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s1);
            s2 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 2 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s2);
            s3 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 3 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s3);
            s4 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 4 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s4);
            s5 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 5 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s5);
            s6 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 6 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s6);
            s7 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 7 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s7);
            s8 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 8 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s8);
            s9 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 9 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s9);
            s10 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 10 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s10);
            s11 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 11 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s11);
            s12 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 12 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s12);
            s13 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 13 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s13);
            s14 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 14 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s14);
            s15 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off + 15 * rowBytes, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s15);
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
            LaneSums.store16(lanes, y, yAt + ((long) i * n + j) * Float.BYTES, false);
        }
    }

    /**
     * W rows j..j+3 starting at byte {@code w0}. The masked tail runs even when k is a multiple
     * of L (empty mask): a branch the first compile never took would keep its vector calls
     * un-inlined.
     */
    private static void four(int m, int k, MemorySegment x, long xAt, MemorySegment w, long w0,
            MemorySegment y, long yAt, int n, int j) {
        int kFull = k - k % L;
        VectorMask<Short> tailS = S.indexInRange(kFull, k);
        VectorMask<Float> tailF = F.indexInRange(kFull, k);
        long rowBytes = (long) k * Short.BYTES;
        long w1 = w0 + rowBytes;
        long w2 = w1 + rowBytes;
        long w3 = w2 + rowBytes;
        float[] lanes = LANES.get();
        for (int i = 0; i < m; i++) {
            long xi = xAt + (long) i * k * Float.BYTES;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            int p = 0;
            for (; p < kFull; p += L) {
                FloatVector xv = FloatVector.fromMemorySegment(F, x, xi + (long) p * Float.BYTES, LE);
                long off = (long) p * Short.BYTES;
                s0 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s0);
                s1 = ((IntVector) ShortVector.fromMemorySegment(S, w, w1 + off, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s1);
                s2 = ((IntVector) ShortVector.fromMemorySegment(S, w, w2 + off, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s2);
                s3 = ((IntVector) ShortVector.fromMemorySegment(S, w, w3 + off, LE).convertShape(S2I, I, 0))
                        .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s3);
            }
            FloatVector xv = FloatVector.fromMemorySegment(F, x, xi + (long) p * Float.BYTES, LE, tailF);
            long off = (long) p * Short.BYTES;
            s0 = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + off, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s0);
            s1 = ((IntVector) ShortVector.fromMemorySegment(S, w, w1 + off, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s1);
            s2 = ((IntVector) ShortVector.fromMemorySegment(S, w, w2 + off, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s2);
            s3 = ((IntVector) ShortVector.fromMemorySegment(S, w, w3 + off, LE, tailS).convertShape(S2I, I, 0))
                    .lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s3);
            long yi = yAt + ((long) i * n + j) * Float.BYTES;
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            for (int r = 0; r < 4; r++) {
                y.set(F32, yi + (long) r * Float.BYTES, LaneSums.pairwise(lanes, r * L));
            }
        }
    }

    /** W row j alone at byte {@code w0}, the same arithmetic per element as {@link #four}. */
    private static void one(int m, int k, MemorySegment x, long xAt, MemorySegment w, long w0,
            MemorySegment y, long yAt, int n, int j) {
        int kFull = k - k % L;
        VectorMask<Short> tailS = S.indexInRange(kFull, k);
        VectorMask<Float> tailF = F.indexInRange(kFull, k);
        float[] lanes = LANES.get();
        for (int i = 0; i < m; i++) {
            long xi = xAt + (long) i * k * Float.BYTES;
            FloatVector s = FloatVector.zero(F);
            int p = 0;
            for (; p < kFull; p += L) {
                FloatVector xv = FloatVector.fromMemorySegment(F, x, xi + (long) p * Float.BYTES, LE);
                s = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + (long) p * Short.BYTES, LE)
                        .convertShape(S2I, I, 0)).lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s);
            }
            FloatVector xv = FloatVector.fromMemorySegment(F, x, xi + (long) p * Float.BYTES, LE, tailF);
            s = ((IntVector) ShortVector.fromMemorySegment(S, w, w0 + (long) p * Short.BYTES, LE, tailS)
                    .convertShape(S2I, I, 0)).lanewise(LSHL, 16).reinterpretAsFloats().fma(xv, s);
            s.intoArray(lanes, 0);
            y.set(F32, yAt + ((long) i * n + j) * Float.BYTES, LaneSums.pairwise(lanes, 0));
        }
    }
}
