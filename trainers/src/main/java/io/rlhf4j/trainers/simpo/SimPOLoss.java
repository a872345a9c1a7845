package io.rlhf4j.trainers.simpo;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.preference.PairLoss;

/**
 * SimPO (Meng et al. 2024) as TRL 1.13 computes it (trl/experimental/cpo/cpo_trainer.py,
 * CPOTrainer.cpo_loss with loss_type "simpo"): with the average response log-probs
 * a_c = logπ(y_c)/|y_c| and a_r, β = beta, γ = simpo_gamma, ε = label_smoothing,
 * <pre>
 *   u = β·(a_c − a_r − γ/β) = β·(a_c − a_r) − γ
 *   loss = −(1−ε)·logσ(u) − ε·logσ(−u)
 * </pre>
 * Reference-free; rewards are β·a_c and β·a_r.
 */
public final class SimPOLoss {

    private final double beta;
    private final double gamma;
    private final double labelSmoothing;

    public SimPOLoss(double beta, double gamma, double labelSmoothing) {
        this.beta = beta;
        this.gamma = gamma;
        this.labelSmoothing = labelSmoothing;
    }

    public static SimPOLoss of(SimPOConfig config) {
        return new SimPOLoss(config.beta, config.simpoGamma, config.labelSmoothing);
    }

    /**
     * @param chosen   [B] average response log-probs of the chosen sequences
     * @param rejected [B] of the rejected ones
     */
    public PairLoss compute(Tensor chosen, Tensor rejected) {
        Tensor u = chosen.sub(rejected).sub(gamma / beta).mul(beta);
        return PairLoss.of(PairLoss.smoothedLogistic(u, labelSmoothing), beta, chosen, rejected, chosen, rejected);
    }
}
