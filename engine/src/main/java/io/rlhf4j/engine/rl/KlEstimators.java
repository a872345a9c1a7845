package io.rlhf4j.engine.rl;

/**
 * Per-token KL estimators between the policy and a reference model, their masked mean and its
 * gradient with respect to the policy log-probabilities. With {@code r = logp − logp_ref}
 * (Schulman, "Approximating KL Divergence", 2020):
 *
 * <pre>
 *   K1: r                    d/dlogp: 1
 *   K2: ½·r²                 d/dlogp: r
 *   K3: exp(−r) − 1 + r      d/dlogp: 1 − exp(−r)
 * </pre>
 *
 * K3 is TRL GRPO's {@code per_token_kl = exp(ref − logp) − (ref − logp) − 1}; it is evaluated
 * as {@code expm1(−r) + r} so small r keeps its digits. The mean is {@link MaskedMean}'s.
 * CPU twin of kernels/src/main/cuda/kl.cu (kind codes 1, 2, 3).
 */
public final class KlEstimators {

    /** The estimator; {@link #code()} is the {@code kind} argument of the CUDA kernels. */
    public enum Kind {
        K1, K2, K3;

        public int code() {
            return ordinal() + 1;
        }

        public double value(double r) {
            return switch (this) {
                case K1 -> r;
                case K2 -> 0.5 * r * r;
                case K3 -> Math.expm1(-r) + r;
            };
        }

        public double derivative(double r) {
            return switch (this) {
                case K1 -> 1.0;
                case K2 -> r;
                case K3 -> -Math.expm1(-r);
            };
        }
    }

    private KlEstimators() {
    }

    /** Per-token estimates {@code out_i = k(logp_i − ref_i)}. */
    public static void perToken(Kind kind, double[] logp, double[] ref, double[] out) {
        Checks.sameLength("logp", logp.length, "ref", ref.length);
        Checks.sameLength("logp", logp.length, "out", out.length);
        for (int i = 0; i < logp.length; i++) {
            out[i] = kind.value(logp[i] - ref[i]);
        }
    }

    /** {@code Σ k_i·m_i / max(Σ m, 1)}. */
    public static double maskedMean(Kind kind, double[] logp, double[] ref, double[] mask) {
        double[] k = new double[logp.length];
        perToken(kind, logp, ref, k);
        return MaskedMean.of(k, mask);
    }

    /** F32 inputs, computed in F64 and rounded once. */
    public static float maskedMean(Kind kind, float[] logp, float[] ref, float[] mask) {
        return (float) maskedMean(kind, Checks.widen(logp), Checks.widen(ref), Checks.widen(mask));
    }

    /**
     * Gradient of {@code gradOut · maskedMean} w.r.t. logp:
     * {@code gradOut·m_i·k'(r_i) / max(Σ m, 1)}, exactly 0 where {@code m_i = 0}.
     */
    public static void maskedMeanGrad(Kind kind, double[] logp, double[] ref, double[] mask,
                                      double gradOut, double[] gradLogp) {
        Checks.sameLength("logp", logp.length, "ref", ref.length);
        Checks.sameLength("logp", logp.length, "mask", mask.length);
        Checks.sameLength("logp", logp.length, "gradLogp", gradLogp.length);
        double scale = gradOut / MaskedMean.denominator(MaskedMean.count(mask));
        for (int i = 0; i < logp.length; i++) {
            gradLogp[i] = mask[i] != 0 ? mask[i] * scale * kind.derivative(logp[i] - ref[i]) : 0.0;
        }
    }

    /** F32 inputs and output, computed in F64 and rounded once. */
    public static void maskedMeanGrad(Kind kind, float[] logp, float[] ref, float[] mask,
                                      double gradOut, float[] gradLogp) {
        double[] g = new double[gradLogp.length];
        maskedMeanGrad(kind, Checks.widen(logp), Checks.widen(ref), Checks.widen(mask), gradOut, g);
        Checks.narrow(g, gradLogp);
    }
}
