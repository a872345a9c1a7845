package io.rlhf4j.trainers.rm;

import io.rlhf4j.trainers.data.PreferenceExample;

/**
 * One tokenized preference pair for reward modelling and the record's optional {@code margin}
 * (TRL's RewardTrainer reads a margin column: the loss becomes −log σ(r_c − r_r − margin)).
 *
 * @param margin the record's margin, or null when it has none
 */
public record RewardPair(PreferenceExample pair, Double margin) {

    public RewardPair {
        if (pair == null) {
            throw new IllegalArgumentException("pair is required");
        }
        if (margin != null && !Double.isFinite(margin)) {
            throw new IllegalArgumentException("margin must be a finite number, got " + margin);
        }
    }
}
