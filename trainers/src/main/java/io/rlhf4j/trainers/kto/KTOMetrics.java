package io.rlhf4j.trainers.kto;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics TRL 1.13's KTOTrainer logs, gathered as it does: per batch it appends kl (z0),
 * rewards/chosen and logps/chosen (sums over the batch's desirable examples divided by their count,
 * only when it has some), rewards/rejected and logps/rejected likewise, and rewards/margins (chosen
 * minus rejected) when it has both; a log reports the mean of each list since the last one.
 */
public final class KTOMetrics {

    private static final String[] NAMES = {"kl", "rewards/chosen", "rewards/rejected", "rewards/margins",
        "logps/chosen", "logps/rejected"};

    private final Map<String, double[]> sums = new LinkedHashMap<>();

    public void add(KTOLosses l) {
        double chosenRewards = 0;
        double chosenLogps = 0;
        double rejectedRewards = 0;
        double rejectedLogps = 0;
        int chosen = 0;
        int rejected = 0;
        for (int i = 0; i < l.desirable().length; i++) {
            if (l.desirable()[i]) {
                chosenRewards += l.rewards()[i];
                chosenLogps += l.logps()[i];
                chosen++;
            } else {
                rejectedRewards += l.rewards()[i];
                rejectedLogps += l.logps()[i];
                rejected++;
            }
        }
        append("kl", l.kl());
        if (chosen > 0) {
            append("rewards/chosen", chosenRewards / chosen);
            append("logps/chosen", chosenLogps / chosen);
        }
        if (rejected > 0) {
            append("rewards/rejected", rejectedRewards / rejected);
            append("logps/rejected", rejectedLogps / rejected);
        }
        if (chosen > 0 && rejected > 0) {
            append("rewards/margins", chosenRewards / chosen - rejectedRewards / rejected);
        }
    }

    private void append(String name, double value) {
        double[] s = sums.computeIfAbsent(name, _ -> new double[2]);
        s[0] += value;
        s[1]++;
    }

    /**
     * The means since the last drain, names prefixed with {@code prefix} ("" in training, "eval_"
     * for evaluation), then starts over; a metric no batch had is left out.
     */
    public Map<String, Double> drain(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String name : NAMES) {
            double[] s = sums.get(name);
            if (s != null) {
                m.put(prefix + name, s[0] / s[1]);
            }
        }
        sums.clear();
        return m;
    }
}
