package io.rlhf4j.trainers.preference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics TRL's DPOTrainer and CPOTrainer log for preference losses, accumulated over the pairs
 * seen since the last drain: rewards/chosen, rewards/rejected, rewards/accuracies (share of pairs
 * whose chosen reward is strictly higher), rewards/margins, logps/chosen, logps/rejected, each a
 * mean over pairs. (TRL averages per-batch means; the two agree when batches are the same size.)
 */
public final class PreferenceMetrics {

    private double chosenRewards;
    private double rejectedRewards;
    private double correct;
    private double chosenLogps;
    private double rejectedLogps;
    private long pairs;

    public void add(PairLoss loss) {
        for (int i = 0; i < loss.chosenRewards().length; i++) {
            chosenRewards += loss.chosenRewards()[i];
            rejectedRewards += loss.rejectedRewards()[i];
            correct += loss.chosenRewards()[i] > loss.rejectedRewards()[i] ? 1 : 0;
            chosenLogps += loss.chosenLogps()[i];
            rejectedLogps += loss.rejectedLogps()[i];
            pairs++;
        }
    }

    /** Pairs added since the last drain. */
    public long pairs() {
        return pairs;
    }

    /**
     * The means since the last drain, names prefixed with {@code prefix} ("" in training,
     * "eval_" for evaluation, as transformers names eval metrics), then starts over; empty when no
     * pair was added.
     */
    public Map<String, Double> drain(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (pairs > 0) {
            m.put(prefix + "rewards/chosen", chosenRewards / pairs);
            m.put(prefix + "rewards/rejected", rejectedRewards / pairs);
            m.put(prefix + "rewards/accuracies", correct / pairs);
            m.put(prefix + "rewards/margins", (chosenRewards - rejectedRewards) / pairs);
            m.put(prefix + "logps/chosen", chosenLogps / pairs);
            m.put(prefix + "logps/rejected", rejectedLogps / pairs);
        }
        chosenRewards = 0;
        rejectedRewards = 0;
        correct = 0;
        chosenLogps = 0;
        rejectedLogps = 0;
        pairs = 0;
        return m;
    }
}
