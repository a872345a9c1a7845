package io.rlhf4j.trainers.rm;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import io.rlhf4j.trainers.data.Collator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The specification's ensemble evaluation over preference pairs, through
 * {@link RewardModelEnsemble#predict}: each sequence's reward is the mean over the members.
 * Metrics (means over all pairs, or all 2P sequences for the reward statistics):
 * ensemble_eval_accuracy (share of pairs whose mean reward is higher for chosen, ties wrong),
 * ensemble_eval_margin (mean of mean_c − mean_r), ensemble_eval_mean_reward, and
 * ensemble_eval_reward_std (the members' standard deviation per sequence, averaged).
 */
public final class EnsembleEvaluation {

    private EnsembleEvaluation() {
    }

    public static Map<String, Double> evaluate(RewardModelEnsemble ensemble, List<RewardPair> pairs, long padId,
            int batchSize) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("ensemble evaluation needs at least one pair");
        }
        Collator collator = new Collator(padId);
        double wins = 0;
        double margin = 0;
        double reward = 0;
        double std = 0;
        for (int from = 0; from < pairs.size(); from += batchSize) {
            try (var _ = Memory.scope()) {
                RewardBatch b = RewardBatch.collate(pairs.subList(from, Math.min(pairs.size(), from + batchSize)),
                        collator);
                RewardModelEnsemble.Prediction p = ensemble.predict(b.rows().inputIds(), b.rows().attentionMask());
                float[] mean = p.mean().toFloatArray();
                float[] s = p.std().toFloatArray();
                int n = b.pairs();
                for (int i = 0; i < n; i++) {
                    wins += mean[i] > mean[n + i] ? 1 : 0;
                    margin += (double) mean[i] - mean[n + i];
                    reward += (double) mean[i] + mean[n + i];
                    std += (double) s[i] + s[n + i];
                }
            }
        }
        int p = pairs.size();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ensemble_eval_accuracy", wins / p);
        m.put("ensemble_eval_margin", margin / p);
        m.put("ensemble_eval_mean_reward", reward / (2.0 * p));
        m.put("ensemble_eval_reward_std", std / (2.0 * p));
        return m;
    }
}
