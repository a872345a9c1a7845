package io.rlhf4j.trainers.eval;

import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import java.util.List;

/** The mean ensemble reward of each prompt + completion row, in order. */
public final class CompletionRewards {

    private CompletionRewards() {
    }

    public static double[] score(RewardModelEnsemble rewardModel, List<Completion> completions, long padId,
            int batchSize) {
        double[] out = new double[completions.size()];
        for (int from = 0; from < completions.size(); from += batchSize) {
            List<Completion> part = completions.subList(from, Math.min(completions.size(), from + batchSize));
            try (var _ = Memory.scope()) {
                CompletionRows rows = CompletionRows.of(part, padId);
                float[] r = rewardModel.predict(rows.ids(), rows.mask()).mean().toFloatArray();
                for (int i = 0; i < r.length; i++) {
                    out[from + i] = r[i];
                }
            }
        }
        return out;
    }
}
