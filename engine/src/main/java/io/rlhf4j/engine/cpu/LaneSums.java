package io.rlhf4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane sums of the dot-product kernels (SgemmDirect's dot form, Bf16Gemv) in one fixed pairwise
 * order: lane i + lane (i + h) for h = L/2, …, 2, 1. Not {@code reduceLanes(ADD)}, whose float
 * order is unspecified and differs between JIT tiers (a test caught one element summed two
 * ways), and not {@code rearrange} with shuffles read from an array, which C2 does not intrinsify
 * (12% of a decode step's samples sat in its Java fallback). {@link #pairwise} sums one
 * accumulator in scalar code; {@link #store16} sums sixteen 16-lane accumulators at once and
 * writes them as one vector, with the same bits per sum.
 *
 * <p>{@link #store16}: each step folds two vectors into one: for blocks of 2h lanes, {@code lo} gathers the first
 * h lanes of every block of a then of b, {@code hi} the second h lanes, and their sum holds
 * a[i] + a[i + h] for both inputs' blocks. Four steps (8 + 4 + 2 + 1 folds, two two-vector
 * permutes and an add each) replace sixteen scalar trees of fifteen adds: the dot products of a
 * decode step (k = 576) spent about as long summing lanes as multiplying. Needs 16-lane vectors
 * (AVX-512); {@link #SIXTEEN} says whether the preferred species has them.
 */
final class LaneSums {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final boolean SIXTEEN = SPECIES.length() == 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final FloatVector LO8 = indices(8, 0);
    private static final FloatVector HI8 = indices(8, 8);
    private static final FloatVector LO4 = indices(4, 0);
    private static final FloatVector HI4 = indices(4, 4);
    private static final FloatVector LO2 = indices(2, 0);
    private static final FloatVector HI2 = indices(2, 2);
    private static final FloatVector LO1 = indices(1, 0);
    private static final FloatVector HI1 = indices(1, 1);

    private LaneSums() {
    }

    /**
     * Writes the sixteen lane sums of the accumulators stored one after another in
     * {@code lanes[0, 256)} to {@code c} at byte {@code at} (adding them to what is there when
     * {@code accumulate}). Accumulators travel through an array, not as arguments: a method
     * taking vectors that C2 does not inline boxes every one of them.
     */
    static void store16(float[] lanes, MemorySegment c, long at, boolean accumulate) {
        FloatVector t0 = fold(lanes, 0, LO8, HI8);
        FloatVector t1 = fold(lanes, 2, LO8, HI8);
        FloatVector t2 = fold(lanes, 4, LO8, HI8);
        FloatVector t3 = fold(lanes, 6, LO8, HI8);
        FloatVector t4 = fold(lanes, 8, LO8, HI8);
        FloatVector t5 = fold(lanes, 10, LO8, HI8);
        FloatVector t6 = fold(lanes, 12, LO8, HI8);
        FloatVector t7 = fold(lanes, 14, LO8, HI8);
        FloatVector u0 = fold(t0, t1, LO4, HI4);
        FloatVector u1 = fold(t2, t3, LO4, HI4);
        FloatVector u2 = fold(t4, t5, LO4, HI4);
        FloatVector u3 = fold(t6, t7, LO4, HI4);
        FloatVector w0 = fold(u0, u1, LO2, HI2);
        FloatVector w1 = fold(u2, u3, LO2, HI2);
        FloatVector sums = fold(w0, w1, LO1, HI1);
        if (accumulate) {
            sums = sums.add(FloatVector.fromMemorySegment(SPECIES, c, at, LE));
        }
        sums.intoMemorySegment(c, at, LE);
    }

    /** {@link #fold} of accumulators {@code first} and {@code first + 1} of {@code lanes}. */
    private static FloatVector fold(float[] lanes, int first, FloatVector lo, FloatVector hi) {
        return fold(FloatVector.fromArray(SPECIES, lanes, first * 16),
                FloatVector.fromArray(SPECIES, lanes, (first + 1) * 16), lo, hi);
    }

    /**
     * lanes[from, from + L) summed pairwise: after the step for h, lane i (i < h) holds lane i +
     * lane (i + h); lane 0 ends as the sum. Overwrites the lanes.
     */
    static float pairwise(float[] lanes, int from) {
        for (int h = SPECIES.length() / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) {
                lanes[from + i] += lanes[from + i + h];
            }
        }
        return lanes[from];
    }

    private static FloatVector fold(FloatVector a, FloatVector b, FloatVector lo, FloatVector hi) {
        return lo.selectFrom(a, b).add(hi.selectFrom(a, b));
    }

    /**
     * Two-vector indices (b's lanes are 16..31): for each block of 2h lanes of a, then of b,
     * the h lanes starting {@code from} within the block.
     */
    private static FloatVector indices(int h, int from) {
        float[] idx = new float[SPECIES.length()];
        for (int lane = 0; lane < idx.length; lane++) {
            int source = lane < idx.length / 2 ? 0 : idx.length;
            int block = (lane % (idx.length / 2)) / h;
            idx[lane] = source + block * 2 * h + from + lane % h;
        }
        return FloatVector.fromArray(SPECIES, idx, 0);
    }
}
