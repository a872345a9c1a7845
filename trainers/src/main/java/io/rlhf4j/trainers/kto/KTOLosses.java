package io.rlhf4j.trainers.kto;

import io.rlhf4j.engine.Tensor;

/**
 * A KTO loss over B examples and what TRL logs beside it.
 *
 * @param perExample [B], differentiable: TRL's batch loss is its mean; in the shared loop, its sum
 *                   over the window's examples
 * @param kl         the reference point z0 the loss used (0 for apo_zero_unpaired)
 * @param rewards    [B] implicit rewards βρ (detached)
 * @param logps      [B] the policy's summed completion log-probs
 * @param desirable  [B] the labels
 */
public record KTOLosses(Tensor perExample, double kl, double[] rewards, double[] logps, boolean[] desirable) {

    /** The batch loss TRL reports: the mean over examples. */
    public Tensor mean() {
        return perExample.mean();
    }
}
