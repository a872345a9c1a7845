package io.rlhf4j.inference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.reward.RewardModelEnsemble;

/**
 * Scores whole sequences (prompt + completion) for reranking: one or more scores per row (several
 * for an ensemble, combined by {@link BestOfNConfig.Aggregation}).
 */
@FunctionalInterface
public interface SequenceScorer {

    /**
     * Scores [rows][scores per row] for ids [rows, T] with attention mask [rows, T] (1 = token; the
     * prompt is left-padded and the completion right-padded).
     */
    double[][] score(Tensor inputIds, Tensor attentionMask);

    /** One reward model's reward per row, in evaluation mode and without autograd. */
    static SequenceScorer of(RewardModel model) {
        return (ids, mask) -> {
            boolean training = model.isTraining();
            model.eval();
            try (var _ = Grad.disabled(); var _ = Memory.scope()) {
                float[] r = model.rewards(ids, mask).toFloatArray();
                double[][] out = new double[r.length][];
                for (int i = 0; i < r.length; i++) {
                    out[i] = new double[] {r[i]};
                }
                return out;
            } finally {
                model.train(training);
            }
        };
    }

    /** Every member's reward per row. */
    static SequenceScorer of(RewardModelEnsemble ensemble) {
        return (ids, mask) -> {
            try (var _ = Memory.scope()) {
                Tensor perMember = ensemble.predict(ids, mask).perMember();
                int members = perMember.shape(0);
                int rows = perMember.shape(1);
                float[] all = perMember.contiguous().toFloatArray();
                double[][] out = new double[rows][members];
                for (int m = 0; m < members; m++) {
                    for (int b = 0; b < rows; b++) {
                        out[b][m] = all[m * rows + b];
                    }
                }
                return out;
            }
        };
    }
}
