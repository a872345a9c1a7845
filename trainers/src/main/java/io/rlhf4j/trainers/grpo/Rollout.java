package io.rlhf4j.trainers.grpo;

/**
 * One sampled completion, kept as plain arrays between the generation and the μ updates that
 * reuse it (tensors live only inside a step's memory scope).
 *
 * @param promptIds     the prompt's ids, unpadded
 * @param completionIds the generated ids, the EOS included when it ended the completion
 * @param lossMask      whether the completion takes part in the loss (false when truncated and
 *                      mask_truncated_completions is set)
 * @param advantage     its group-relative advantage
 * @param oldLogp       per completion token at generation time, or null when μ = 1 (ρ = 1 exactly, as TRL)
 * @param refLogp       per completion token under the reference model, or null when β = 0
 */
record Rollout(long[] promptIds, long[] completionIds, boolean lossMask, double advantage, float[] oldLogp,
        float[] refLogp) {

    Rollout withLogps(float[] old, float[] ref) {
        return new Rollout(promptIds, completionIds, lossMask, advantage, old, ref);
    }
}
