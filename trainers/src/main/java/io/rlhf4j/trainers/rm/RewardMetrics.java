package io.rlhf4j.trainers.rm;

import io.rlhf4j.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics TRL's RewardTrainer logs (trl 1.13, reward_trainer.py compute_loss): per batch the
 * min, mean and max of all 2B rewards, the accuracy (share of pairs with r_c &gt; r_r strictly)
 * and the margin mean(r_c − r_r); at log time each is the mean of its per-batch values, as TRL
 * averages its metric lists.
 */
final class RewardMetrics {

    private double minReward;
    private double meanReward;
    private double maxReward;
    private double accuracy;
    private double margin;
    private long batches;

    void add(Tensor chosen, Tensor rejected) {
        double[] c = chosen.toDoubleArray();
        double[] r = rejected.toDoubleArray();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double wins = 0;
        double diff = 0;
        for (int i = 0; i < c.length; i++) {
            min = Math.min(min, Math.min(c[i], r[i]));
            max = Math.max(max, Math.max(c[i], r[i]));
            sum += c[i] + r[i];
            wins += c[i] > r[i] ? 1 : 0;
            diff += c[i] - r[i];
        }
        minReward += min;
        maxReward += max;
        meanReward += sum / (2.0 * c.length);
        accuracy += wins / c.length;
        margin += diff / c.length;
        batches++;
    }

    /** The means since the last drain, names prefixed with {@code prefix} ("" or "eval_"); empty when none. */
    Map<String, Double> drain(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (batches > 0) {
            m.put(prefix + "min_reward", minReward / batches);
            m.put(prefix + "mean_reward", meanReward / batches);
            m.put(prefix + "max_reward", maxReward / batches);
            m.put(prefix + "accuracy", accuracy / batches);
            m.put(prefix + "margin", margin / batches);
        }
        minReward = 0;
        meanReward = 0;
        maxReward = 0;
        accuracy = 0;
        margin = 0;
        batches = 0;
        return m;
    }
}
