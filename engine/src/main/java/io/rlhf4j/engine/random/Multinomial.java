package io.rlhf4j.engine.random;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Category sampling from rows of non-negative weights (torch.multinomial) or logits.
 *
 * <p>With replacement, sample s of row r uses uniform element r·S + s of the draw and inverts
 * the row's cumulative weights. Without replacement, row r uses uniform elements r·K + j: each
 * category gets the exponential key −ln(1 − u)/w, and the S smallest keys, in increasing order,
 * are an ordered sample without replacement (the exponential-race form of sequential sampling,
 * Efraimidis and Spirakis 2006); zero-weight categories are never drawn.
 */
final class Multinomial {

    private Multinomial() {
    }

    /** Uniform elements a call consumes (see the class comment). */
    static long elements(int rows, int categories, int numSamples, boolean replacement) {
        return (long) rows * (replacement ? numSamples : categories);
    }

    static Tensor sample(Tensor input, boolean logits, int numSamples, boolean replacement, long key, long stream,
            long counter, int chunks) {
        int[] shape = input.shape();
        if (shape.length != 1 && shape.length != 2) {
            throw new IllegalArgumentException((logits ? "logits" : "probs") + " must be [K] or [N, K], got "
                    + Arrays.toString(shape));
        }
        int k = shape[shape.length - 1];
        int rows = shape.length == 2 ? shape[0] : 1;
        if (numSamples < 1 || k < 1) {
            throw new IllegalArgumentException("numSamples " + numSamples + " and categories " + k
                    + " must both be positive");
        }
        if (!replacement && numSamples > k) {
            throw new IllegalArgumentException("cannot draw " + numSamples + " samples without replacement from "
                    + k + " categories");
        }
        Tensor w = input.to(DType.F64).contiguous();
        MemorySegment ws = w.segment();
        long wBase = w.offset();
        Tensor out = Tensor.empty(DType.I64, shape.length == 2 ? new int[] {rows, numSamples} : new int[] {numSamples});
        MemorySegment os = out.segment();
        RandomKernels.forRange(rows, chunks, (r0, r1) -> {
            double[] weights = new double[k];
            long[] scratch = new long[2];
            long[] picks = new long[numSamples];
            for (int r = r0; r < r1; r++) {
                MemorySegment.copy(ws, TypedAccess.F64, (wBase + (long) r * k) * 8, weights, 0, k);
                if (logits) {
                    expShifted(weights);
                }
                checkWeights(weights, r, logits);
                if (replacement) {
                    withReplacement(weights, key, stream, counter, (long) r * numSamples, scratch, picks);
                } else {
                    withoutReplacement(weights, key, stream, counter, (long) r * k, scratch, picks, r);
                }
                MemorySegment.copy(picks, 0, os, TypedAccess.I64, (long) r * numSamples * 8, numSamples);
            }
        });
        return out;
    }

    /** exp(l − max l), so the largest weight is 1 and nothing overflows. */
    private static void expShifted(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        for (int j = 0; j < v.length; j++) {
            v[j] = Math.exp(v[j] - max);
        }
    }

    private static void checkWeights(double[] weights, int row, boolean logits) {
        double total = 0;
        for (int j = 0; j < weights.length; j++) {
            double x = weights[j];
            if (!(x >= 0) || Double.isInfinite(x)) {
                throw new IllegalArgumentException((logits ? "logits" : "probs") + " row " + row + " has an invalid "
                        + "entry at " + j + " (" + x + "); weights must be finite and non-negative");
            }
            total += x;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("probs row " + row + " sums to " + total + "; it needs a positive entry");
        }
    }

    private static void withReplacement(double[] weights, long key, long stream, long counter, long first,
            long[] scratch, long[] picks) {
        int k = weights.length;
        double[] cdf = new double[k];
        double acc = 0;
        for (int j = 0; j < k; j++) {
            acc += weights[j];
            cdf[j] = acc;
        }
        for (int s = 0; s < picks.length; s++) {
            double target = Philox.toUnitDouble(RandomKernels.word(key, stream, counter, first + s, scratch)) * acc;
            int lo = 0;
            int hi = k - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > target) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            picks[s] = lo;
        }
    }

    private static void withoutReplacement(double[] weights, long key, long stream, long counter, long first,
            long[] scratch, long[] picks, int row) {
        int k = weights.length;
        double[] keys = new double[k];
        int positive = 0;
        for (int j = 0; j < k; j++) {
            double u = Philox.toUnitDouble(RandomKernels.word(key, stream, counter, first + j, scratch));
            keys[j] = weights[j] > 0 ? -Math.log1p(-u) / weights[j] : Double.POSITIVE_INFINITY;
            positive += weights[j] > 0 ? 1 : 0;
        }
        if (positive < picks.length) {
            throw new IllegalArgumentException("probs row " + row + " has " + positive + " non-zero categories, fewer "
                    + "than the " + picks.length + " samples requested without replacement");
        }
        Integer[] order = new Integer[k];
        for (int j = 0; j < k; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(keys[a], keys[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int s = 0; s < picks.length; s++) {
            picks[s] = order[s];
        }
    }
}
