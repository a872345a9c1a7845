package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.trainers.grpo.RewardFunction;
import java.util.List;
import java.util.Map;

/**
 * Scores a rollout's responses: the specification's {@code reward_fn(prompt, response)}, one
 * scalar per response, placed by PPO on the final response token.
 */
public interface ResponseScorer {

    /**
     * @param prompts   prompt texts
     * @param responses decoded responses (special tokens skipped)
     * @param columns   the prompt records' other string columns
     * @param ids       query + response ids [B, W] (left-padded queries, responses right-padded with pad)
     * @param mask      ids ≠ pad [B, W]
     */
    double[] score(List<String> prompts, List<String> responses, List<Map<String, String>> columns, Tensor ids,
            Tensor mask);

    /** The weighted sum of reward functions on the decoded text (weights null: each 1). */
    static ResponseScorer of(List<RewardFunction> functions, List<Double> weights) {
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("PPO needs a reward model or at least one reward function");
        }
        if (weights != null && weights.size() != functions.size()) {
            throw new IllegalArgumentException("reward_weights has " + weights.size() + " weights for "
                    + functions.size() + " reward functions");
        }
        return (prompts, responses, columns, ids, mask) -> {
            double[] out = new double[responses.size()];
            for (int k = 0; k < functions.size(); k++) {
                double w = weights == null ? 1.0 : weights.get(k);
                double[] r = functions.get(k).scoreBatch(prompts, responses, columns);
                for (int i = 0; i < out.length; i++) {
                    out[i] += w * r[i];
                }
            }
            return out;
        };
    }

    /**
     * A reward model read at the last non-pad token of query + response (TRL's get_reward at
     * sequence_lengths), in evaluation mode and without gradients.
     */
    static ResponseScorer of(RewardModel model) {
        model.eval();
        return (prompts, responses, columns, ids, mask) -> {
            try (var _ = Grad.disabled()) {
                return model.rewards(ids, mask).toDoubleArray();
            }
        };
    }
}
