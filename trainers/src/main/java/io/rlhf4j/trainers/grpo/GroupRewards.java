package io.rlhf4j.trainers.grpo;

import io.rlhf4j.engine.rl.GroupAdvantages;
import java.util.Locale;

/**
 * Rewards of a generation batch to advantages, as trl 1.13 GRPOTrainer._generate_and_score_completions
 * (multi_objective_aggregation "sum_then_normalize"): reward = Σ_k weight_k·reward_k, then
 * {@link GroupAdvantages} with TRL's 1e-4 (scale_rewards group, batch or none). Also what TRL logs
 * about them.
 *
 * @param rewards          the weighted sum per completion
 * @param advantages       per completion
 * @param fracZeroStd      the fraction of completions whose std (of the group, or of the batch
 *                         with scale_rewards batch) is 0: their group teaches nothing
 */
public record GroupRewards(double[] rewards, double[] advantages, double fracZeroStd) {

    /**
     * @param perFunction [completion][function] rewards, completions of one prompt consecutive
     * @param weights     one per function
     * @param groupSize   num_generations
     * @param scale       scale_rewards: "group", "batch" or "none"
     */
    public static GroupRewards compute(double[][] perFunction, double[] weights, int groupSize, String scale) {
        double[] rewards = new double[perFunction.length];
        for (int i = 0; i < rewards.length; i++) {
            if (perFunction[i].length != weights.length) {
                throw new IllegalArgumentException("completion " + i + " has " + perFunction[i].length
                        + " rewards for " + weights.length + " reward weights");
            }
            for (int k = 0; k < weights.length; k++) {
                rewards[i] += weights[k] * perFunction[i][k];
            }
        }
        GroupAdvantages.Scale s = GroupAdvantages.Scale.valueOf(scale.toUpperCase(Locale.ROOT));
        double[] adv = GroupAdvantages.compute(rewards, groupSize, s, GroupAdvantages.TRL_EPS);
        int zero = 0;
        double batchStd = std(rewards, 0, rewards.length);
        for (int g = 0; g < rewards.length; g += groupSize) {
            double std = s == GroupAdvantages.Scale.BATCH ? batchStd : std(rewards, g, groupSize);
            // torch.isclose(std, 0): |std| <= atol 1e-8
            if (Math.abs(std) <= 1e-8) {
                zero += groupSize;
            }
        }
        return new GroupRewards(rewards, adv, (double) zero / rewards.length);
    }

    /** The mean and unbiased std of column {@code k} of {@code perFunction} (TRL's rewards/name/mean, /std). */
    public static double[] columnMeanStd(double[][] perFunction, int k) {
        double[] col = new double[perFunction.length];
        for (int i = 0; i < col.length; i++) {
            col[i] = perFunction[i][k];
        }
        return new double[] {mean(col), std(col, 0, col.length)};
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return x.length == 0 ? Double.NaN : s / x.length;
    }

    /** Unbiased std of x[from, from + n); NaN for one sample, as trl's nanstd. */
    static double std(double[] x, int from, int n) {
        if (n < 2) {
            return Double.NaN;
        }
        double m = 0;
        for (int i = from; i < from + n; i++) {
            m += x[i];
        }
        m /= n;
        double q = 0;
        for (int i = from; i < from + n; i++) {
            q += (x[i] - m) * (x[i] - m);
        }
        return Math.sqrt(q / (n - 1));
    }
}
