package io.rlhf4j.merging;

import io.rlhf4j.engine.cpu.Parallel;
import java.util.Arrays;

/**
 * The per-tensor merge functions of PEFT's {@code peft.utils.merge_utils} (0.21) on flat F32
 * arrays, with the same arithmetic: weights are F32 (PEFT takes a float32 weights tensor), pruned
 * deltas are {@code delta * mask}, DARE rescales by {@code / density}, the majority sign is
 * {@code where(s >= 0, 1, -1)} of {@code s = Σ delta} ("total") or {@code Σ sign(delta)}
 * ("frequency"), and the disjoint merge is {@code Σ_i [sign_i = majority]·w_i·delta_i / max(1, count)}.
 * Elementwise loops split with {@link Parallel#forRange}, each element written by one worker, so
 * results do not depend on the thread count.
 */
final class MergeFunctions {

    private static final int MIN_CHUNK = 1 << 14;

    private MergeFunctions() {
    }

    /**
     * PEFT's magnitude_based_pruning: keeps the k = int(density · n) largest |x| (density ≥ 1
     * keeps all, as prune() skips pruning). Among equal magnitudes at the cut the lowest indices
     * are kept (torch.topk leaves that order unspecified).
     */
    static float[] magnitudePrune(float[] x, double density) {
        if (density >= 1) {
            return x.clone();
        }
        int n = x.length;
        int k = (int) (density * n);
        float[] out = new float[n];
        if (k == 0) {
            return out;
        }
        float[] magnitudes = new float[n];
        for (int j = 0; j < n; j++) {
            magnitudes[j] = Math.abs(x[j]);
        }
        float[] sorted = magnitudes.clone();
        Arrays.sort(sorted);
        float cut = sorted[n - k];
        int above = 0;
        for (float m : magnitudes) {
            if (m > cut) {
                above++;
            }
        }
        int atCut = k - above;
        for (int j = 0; j < n; j++) {
            if (magnitudes[j] > cut) {
                out[j] = x[j];
            } else if (magnitudes[j] == cut && atCut > 0) {
                out[j] = x[j];
                atCut--;
            }
        }
        return out;
    }

    /** PEFT's random_pruning with rescale: x · mask / density; density ≥ 1 keeps x (no pruning). */
    static float[] randomPrune(float[] x, float[] mask, double density) {
        if (density >= 1) {
            return x.clone();
        }
        if (mask.length != x.length) {
            throw new IllegalArgumentException("drop mask has " + mask.length + " elements for a delta of " + x.length);
        }
        float d = (float) density;
        float[] out = new float[x.length];
        Parallel.forRange(x.length, MIN_CHUNK, (start, end) -> {
            for (int j = start; j < end; j++) {
                out[j] = x[j] * mask[j] / d;
            }
        });
        return out;
    }

    /** PEFT's task_arithmetic on (already pruned) deltas: Σ_i w_i·delta_i, summed in model order. */
    static float[] weightedSum(float[][] deltas, float[] weights) {
        int n = deltas[0].length;
        float[] out = new float[n];
        Parallel.forRange(n, MIN_CHUNK, (start, end) -> {
            for (int j = start; j < end; j++) {
                float s = 0;
                for (int i = 0; i < deltas.length; i++) {
                    s += deltas[i][j] * weights[i];
                }
                out[j] = s;
            }
        });
        return out;
    }

    /**
     * PEFT's calculate_majority_sign_mask on the (pruned, unweighted) deltas, then disjoint_merge
     * of the weighted deltas. Pruned zeros have sign 0, never the majority, so they are not counted.
     */
    static float[] signElectedMerge(float[][] deltas, float[] weights, boolean frequency) {
        int n = deltas[0].length;
        int models = deltas.length;
        float[] out = new float[n];
        Parallel.forRange(n, MIN_CHUNK, (start, end) -> {
            for (int j = start; j < end; j++) {
                float magnitude = 0;
                for (int i = 0; i < models; i++) {
                    magnitude += frequency ? Math.signum(deltas[i][j]) : deltas[i][j];
                }
                float majority = magnitude >= 0 ? 1 : -1;
                float sum = 0;
                int count = 0;
                for (int i = 0; i < models; i++) {
                    if (Math.signum(deltas[i][j]) == majority) {
                        sum += deltas[i][j] * weights[i];
                        count++;
                    }
                }
                out[j] = sum / Math.max(1, count);
            }
        });
        return out;
    }

    /**
     * mergekit's slerp (merge_methods/slerp.py) of one tensor pair, in double: v0 and v1 are
     * normalised (when their norm exceeds eps = 1e-8), dot = û0·û1; when |dot| > 0.9995 the
     * vectors are nearly colinear and the result is the linear (1 − t)·v0 + t·v1; otherwise
     * θ = acos(dot) and the result is sin((1 − t)θ)/sin θ · v0 + sin(tθ)/sin θ · v1.
     */
    static float[] slerp(double t, float[] v0, float[] v1) {
        double n0 = 0;
        double n1 = 0;
        double dot = 0;
        for (int j = 0; j < v0.length; j++) {
            n0 += (double) v0[j] * v0[j];
            n1 += (double) v1[j] * v1[j];
            dot += (double) v0[j] * v1[j];
        }
        n0 = Math.sqrt(n0);
        n1 = Math.sqrt(n1);
        dot /= (n0 > 1e-8 ? n0 : 1) * (n1 > 1e-8 ? n1 : 1);
        double s0;
        double s1;
        if (Math.abs(dot) > 0.9995) {
            s0 = 1 - t;
            s1 = t;
        } else {
            double theta = Math.acos(dot);
            double sin = Math.sin(theta);
            s0 = Math.sin(theta - theta * t) / sin;
            s1 = Math.sin(theta * t) / sin;
        }
        float[] out = new float[v0.length];
        double a = s0;
        double b = s1;
        Parallel.forRange(v0.length, MIN_CHUNK, (start, end) -> {
            for (int j = start; j < end; j++) {
                out[j] = (float) (a * v0[j] + b * v1[j]);
            }
        });
        return out;
    }
}
