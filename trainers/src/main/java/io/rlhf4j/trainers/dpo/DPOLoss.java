package io.rlhf4j.trainers.dpo;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.preference.PairLoss;
import java.util.List;

/**
 * The DPO losses of TRL 1.13 (trl/trainer/dpo_trainer.py, DPOTrainer._compute_loss, reverse-KL
 * scores) on sequence log-probs. With the log-ratios ρ_c = logπ(y_c) − logπ_ref(y_c),
 * ρ_r = logπ(y_r) − logπ_ref(y_r), Δ = ρ_c − ρ_r, β = beta, ε = label_smoothing, per pair:
 * <ul>
 *   <li>sigmoid: −(1−ε)·logσ(βΔ) − ε·logσ(−βΔ) (the specification's label-smoothed blend,
 *       conservative DPO; TRL 1.13 ignores ε here, so ε = 0 is TRL's loss exactly)</li>
 *   <li>hinge: relu(1 − βΔ)</li>
 *   <li>ipo: (ρ_c/n_c − ρ_r/n_r − 1/(2β))², n = response tokens (≥ 1), TRL's length-normalised IPO</li>
 *   <li>robust: (−(1−ε)·logσ(βΔ) + ε·logσ(−βΔ)) / (1 − 2ε)</li>
 *   <li>sppo_hard: (ρ_c − 1/(2β))² + (ρ_r + 1/(2β))²</li>
 *   <li>apo_zero: 1 − σ(βρ_c) + σ(βρ_r); apo_down: σ(βρ_c) + 1 − σ(β(ρ_c − ρ_r))</li>
 * </ul>
 * Several loss types are summed with loss_weights (default 1 each). Rewards are βρ_c and βρ_r.
 * reference_free sets the reference log-probs to 0.
 */
public final class DPOLoss {

    private final double beta;
    private final List<String> lossTypes;
    private final List<Double> weights;
    private final double labelSmoothing;

    public DPOLoss(double beta, List<String> lossTypes, List<Double> weights, double labelSmoothing) {
        if (weights != null && weights.size() != lossTypes.size()) {
            throw new IllegalArgumentException("loss weights " + weights + " must match loss types " + lossTypes);
        }
        for (String t : lossTypes) {
            if (!DPOConfig.LOSS_TYPES.contains(t)) {
                throw new IllegalArgumentException("unknown DPO loss_type '" + t + "', expected one of "
                        + DPOConfig.LOSS_TYPES);
            }
        }
        this.beta = beta;
        this.lossTypes = List.copyOf(lossTypes);
        this.weights = weights == null ? null : List.copyOf(weights);
        this.labelSmoothing = labelSmoothing;
    }

    public static DPOLoss of(DPOConfig config) {
        return new DPOLoss(config.beta, config.lossType, config.lossWeights, config.labelSmoothing);
    }

    /**
     * @param chosen         [B] summed response log-probs of the chosen sequences under the policy
     * @param rejected       [B] of the rejected ones
     * @param refChosen      [B] the same under the reference (no gradient), or null when reference-free
     * @param refRejected    [B] or null
     * @param chosenTokens   [B] response tokens of each chosen sequence (IPO's normaliser)
     * @param rejectedTokens [B]
     */
    public PairLoss compute(Tensor chosen, Tensor rejected, Tensor refChosen, Tensor refRejected, Tensor chosenTokens,
            Tensor rejectedTokens) {
        Tensor rhoC = refChosen == null ? chosen : chosen.sub(refChosen);
        Tensor rhoR = refRejected == null ? rejected : rejected.sub(refRejected);
        Tensor total = null;
        for (int i = 0; i < lossTypes.size(); i++) {
            Tensor l = perPair(lossTypes.get(i), rhoC, rhoR, chosenTokens, rejectedTokens);
            if (weights != null) {
                l = l.mul(weights.get(i));
            }
            total = total == null ? l : total.add(l);
        }
        return PairLoss.of(total, beta, rhoC, rhoR, chosen, rejected);
    }

    private Tensor perPair(String type, Tensor rhoC, Tensor rhoR, Tensor nC, Tensor nR) {
        Tensor z = rhoC.sub(rhoR).mul(beta);
        double eps = labelSmoothing;
        return switch (type) {
            case "sigmoid" -> PairLoss.smoothedLogistic(z, eps);
            case "hinge" -> z.rsub(1).relu();
            case "ipo" -> rhoC.div(nC.clamp(1, Double.MAX_VALUE)).sub(rhoR.div(nR.clamp(1, Double.MAX_VALUE)))
                    .sub(1 / (2 * beta)).square();
            case "robust" -> z.logsigmoid().mul(-(1 - eps)).add(z.neg().logsigmoid().mul(eps)).div(1 - 2 * eps);
            case "sppo_hard" -> rhoC.sub(0.5 / beta).square().add(rhoR.add(0.5 / beta).square());
            case "apo_zero" -> rhoC.mul(beta).sigmoid().rsub(1).add(rhoR.mul(beta).sigmoid());
            case "apo_down" -> rhoC.mul(beta).sigmoid().add(z.sigmoid().rsub(1));
            default -> throw new IllegalStateException(type);
        };
    }
}
