package io.rlhf4j.engine.rl;

/**
 * The masked mean every RL loss reduces with: {@code Σ x_i·m_i / max(Σ m_i, 1)}, TRL's
 * {@code (x * mask).sum() / mask.sum().clamp(min=1.0)}. A position with {@code m_i = 0}
 * contributes exactly 0 even if {@code x_i} is not finite (padding may hold −inf logprobs), so
 * an all-masked batch gives 0. CPU twin of kernels/src/main/cuda/reduce.cu.
 */
public final class MaskedMean {

    private MaskedMean() {
    }

    /** The masked mean of {@code x}; sums in F64 in index order. */
    public static double of(double[] x, double[] mask) {
        Checks.sameLength("x", x.length, "mask", mask.length);
        double sum = 0;
        double count = 0;
        for (int i = 0; i < x.length; i++) {
            if (mask[i] != 0) {
                sum += x[i] * mask[i];
                count += mask[i];
            }
        }
        return sum / denominator(count);
    }

    /** F32 inputs, accumulated in F64 (a reference more accurate than the GPU's F32 tree). */
    public static float of(float[] x, float[] mask) {
        return (float) of(Checks.widen(x), Checks.widen(mask));
    }

    /** {@code Σ m}: the count the gradient divides by (before clamping). */
    public static double count(double[] mask) {
        double count = 0;
        for (double m : mask) {
            count += m;
        }
        return count;
    }

    /** The denominator {@code max(Σ m, 1)}. */
    public static double denominator(double count) {
        return Math.max(count, 1.0);
    }

    /** d mean / d x_i times the upstream gradient: {@code g·m_i / max(Σ m, 1)}. */
    public static void backward(double[] mask, double gradOut, double[] gradX) {
        Checks.sameLength("mask", mask.length, "gradX", gradX.length);
        double scale = gradOut / denominator(count(mask));
        for (int i = 0; i < mask.length; i++) {
            gradX[i] = mask[i] * scale;
        }
    }
}
