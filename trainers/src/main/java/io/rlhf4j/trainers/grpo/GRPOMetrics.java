package io.rlhf4j.trainers.grpo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TRL's GRPO metrics: each generation batch and each micro-batch's loss append values; a log
 * reports the mean of every metric's values since the previous log (GRPOTrainer.log, NaNs left out).
 */
final class GRPOMetrics {

    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    void add(String name, double value) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /** The mean of each metric since the last call (NaN values left out; a metric with none is dropped). */
    Map<String, Double> drain() {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((name, list) -> {
            double sum = 0;
            int n = 0;
            for (double v : list) {
                if (!Double.isNaN(v)) {
                    sum += v;
                    n++;
                }
            }
            if (n > 0) {
                out.put(name, sum / n);
            }
        });
        values.clear();
        return out;
    }

    /** Records what TRL logs about a generation batch. */
    void generation(List<RewardFunction> functions, double[][] perFunction, GroupRewards g, int[] lengths,
            boolean[] truncated) {
        for (int k = 0; k < functions.size(); k++) {
            double[] ms = GroupRewards.columnMeanStd(perFunction, k);
            add("rewards/" + functions.get(k).name() + "/mean", ms[0]);
            add("rewards/" + functions.get(k).name() + "/std", ms[1]);
        }
        add("reward", GroupRewards.mean(g.rewards()));
        add("reward_std", GroupRewards.std(g.rewards(), 0, g.rewards().length));
        add("frac_reward_zero_std", g.fracZeroStd());
        double sum = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        int clipped = 0;
        for (int i = 0; i < lengths.length; i++) {
            sum += lengths[i];
            min = Math.min(min, lengths[i]);
            max = Math.max(max, lengths[i]);
            clipped += truncated[i] ? 1 : 0;
        }
        add("completions/mean_length", sum / lengths.length);
        add("completions/min_length", min);
        add("completions/max_length", max);
        add("completions/clipped_ratio", (double) clipped / lengths.length);
    }

    /** Records what TRL logs about a micro-batch's loss. */
    void loss(GRPOLoss.Stats s, boolean withKl) {
        double tokens = Math.max(s.tokens(), 1);
        if (withKl) {
            add("kl", s.klSum() / tokens);
        }
        add("clip_ratio/low_mean", s.lowClip() / tokens);
        add("clip_ratio/high_mean", s.highClip() / tokens);
        add("clip_ratio/region_mean", (s.lowClip() + s.highClip()) / tokens);
    }
}
