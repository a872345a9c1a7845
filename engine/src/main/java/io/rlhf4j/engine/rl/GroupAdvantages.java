package io.rlhf4j.engine.rl;

/**
 * GRPO's group-relative advantages, as TRL's GRPOTrainer computes them. Rewards are laid out
 * {@code [numGroups, groupSize]} (the completions of one prompt are consecutive):
 *
 * <pre>
 *   A_i = r_i − mean(group of i)
 *   GROUP: A_i /= std(group of i) + eps
 *   BATCH: A_i /= std(all rewards) + eps
 *   NONE:  A_i unchanged
 * </pre>
 *
 * std is the unbiased (n − 1) standard deviation, torch's default; a single sample has std 0
 * (TRL's special case, not torch's NaN). TRL uses {@link #TRL_EPS}. CPU twin of
 * {@code rl_reward_std_f32} and {@code rl_grpo_advantages_f32} in kernels/src/main/cuda/rl_losses.cu.
 */
public final class GroupAdvantages {

    /** The epsilon TRL adds to the std. */
    public static final double TRL_EPS = 1e-4;

    /** TRL's {@code scale_rewards}; {@link #code()} is the {@code scale} argument of the kernel. */
    public enum Scale {
        NONE, GROUP, BATCH;

        public int code() {
            return ordinal();
        }
    }

    private GroupAdvantages() {
    }

    /** Advantages of {@code rewards} (length a multiple of {@code groupSize}) in F64. */
    public static double[] compute(double[] rewards, int groupSize, Scale scale, double eps) {
        if (groupSize <= 0 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException("groupSize " + groupSize + " must be positive and divide the "
                    + rewards.length + " rewards");
        }
        double batchStd = scale == Scale.BATCH ? std(rewards, 0, rewards.length) : 0;
        double[] adv = new double[rewards.length];
        for (int g0 = 0; g0 < rewards.length; g0 += groupSize) {
            double mean = mean(rewards, g0, groupSize);
            double denom = switch (scale) {
                case NONE -> 1.0;
                case GROUP -> std(rewards, g0, groupSize) + eps;
                case BATCH -> batchStd + eps;
            };
            for (int i = g0; i < g0 + groupSize; i++) {
                adv[i] = (rewards[i] - mean) / denom;
            }
        }
        return adv;
    }

    /** F32 rewards and advantages, computed in F64 and rounded once. */
    public static float[] compute(float[] rewards, int groupSize, Scale scale, double eps) {
        double[] adv = compute(Checks.widen(rewards), groupSize, scale, eps);
        float[] out = new float[adv.length];
        Checks.narrow(adv, out);
        return out;
    }

    /** Unbiased standard deviation of {@code x[from .. from + n)}; 0 when n < 2. Two passes. */
    static double std(double[] x, int from, int n) {
        if (n < 2) {
            return 0;
        }
        double mean = mean(x, from, n);
        double q = 0;
        for (int i = from; i < from + n; i++) {
            q += (x[i] - mean) * (x[i] - mean);
        }
        return Math.sqrt(q / (n - 1));
    }

    private static double mean(double[] x, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += x[i];
        }
        return s / n;
    }
}
