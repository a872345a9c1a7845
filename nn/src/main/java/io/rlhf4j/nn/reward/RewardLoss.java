package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Parameter;
import java.util.Arrays;
import java.util.Collection;

/**
 * The reward-model objective of the specification's stage 2: Bradley-Terry pairwise ranking.
 * For pairs of rewards r_c (chosen) and r_r (rejected) and an optional per-pair margin m,
 *
 * <pre>
 *   x    = r_c − r_r − m
 *   loss = mean over pairs of  −(1−ε)·log σ(x) − ε·log σ(−x)          (BCE with logits against target 1−ε)
 *        + λ₂ · Σ_θ ‖θ‖²                                                (optional L2 over the model's parameters)
 *        + c · mean((r_c + r_r)²)                                       (optional; TRL RewardTrainer's center_rewards_coefficient)
 * </pre>
 *
 * With ε = 0 and no regularisers this is TRL RewardTrainer's {@code -logsigmoid(r_c - r_r - margin).mean()};
 * the centring term is TRL's (Eisenstein et al. 2023, "Helping or Herding?").
 *
 * @param labelSmoothing           ε in [0, 0.5)
 * @param l2Coefficient            λ₂ ≥ 0
 * @param centerRewardsCoefficient c ≥ 0
 */
public record RewardLoss(double labelSmoothing, double l2Coefficient, double centerRewardsCoefficient) {

    public RewardLoss {
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (!(l2Coefficient >= 0)) {
            throw new IllegalArgumentException("l2Coefficient must be >= 0, got " + l2Coefficient);
        }
        if (!(centerRewardsCoefficient >= 0)) {
            throw new IllegalArgumentException("centerRewardsCoefficient must be >= 0, got " + centerRewardsCoefficient);
        }
    }

    /** Plain Bradley-Terry: no smoothing, no regularisers. */
    public static RewardLoss bradleyTerry() {
        return new RewardLoss(0, 0, 0);
    }

    /**
     * The loss (a differentiable scalar) and the batch's diagnostics.
     *
     * @param accuracy     fraction of pairs with r_c &gt; r_r (ties count as wrong)
     * @param rewardMargin mean of r_c − r_r (without the margin)
     */
    public record Output(Tensor loss, double accuracy, double rewardMargin) {
    }

    /**
     * @param chosen     r_c [P] (F32, or F64 for gradient checks)
     * @param rejected   r_r [P]
     * @param margin     m [P] or null for none (not differentiated)
     * @param parameters the parameters the L2 term sums over (may be empty when λ₂ = 0)
     */
    public Output compute(Tensor chosen, Tensor rejected, Tensor margin, Collection<Parameter> parameters) {
        Tensor loss = bradleyTerry(chosen, rejected, margin, labelSmoothing);
        if (l2Coefficient > 0) {
            loss = loss.add(l2Penalty(parameters, l2Coefficient).to(loss.dtype()));
        }
        if (centerRewardsCoefficient > 0) {
            loss = loss.add(centerPenalty(chosen, rejected, centerRewardsCoefficient));
        }
        double[] c = chosen.toDoubleArray();
        double[] r = rejected.toDoubleArray();
        double margins = 0;
        for (int i = 0; i < c.length; i++) {
            margins += c[i] - r[i];
        }
        return new Output(loss, RewardModelEnsemble.accuracy(chosen, rejected), margins / c.length);
    }

    /** mean(−(1−ε)·log σ(x) − ε·log σ(−x)) with x = r_c − r_r − m; a scalar. */
    public static Tensor bradleyTerry(Tensor chosen, Tensor rejected, Tensor margin, double labelSmoothing) {
        if (chosen.rank() != 1 || !Arrays.equals(chosen.shape(), rejected.shape())) {
            throw new IllegalArgumentException("chosen and rejected rewards must both be [pairs], got "
                    + Arrays.toString(chosen.shape()) + " and " + Arrays.toString(rejected.shape()));
        }
        if (chosen.shape(0) == 0) {
            throw new IllegalArgumentException("the Bradley-Terry loss needs at least one pair");
        }
        Tensor x = chosen.sub(rejected);
        if (margin != null) {
            if (!Arrays.equals(margin.shape(), chosen.shape())) {
                throw new IllegalArgumentException("margin must be [pairs] = " + Arrays.toString(chosen.shape())
                        + ", got " + Arrays.toString(margin.shape()));
            }
            x = x.sub(margin.detach().to(x.dtype()));
        }
        Tensor perPair = x.logsigmoid().mul(-(1 - labelSmoothing));
        if (labelSmoothing > 0) {
            perPair = perPair.sub(x.neg().logsigmoid().mul(labelSmoothing));
        }
        return perPair.mean();
    }

    /** λ₂ · Σ_θ ‖θ‖² over {@code parameters} (summed in F32, or F64 for F64 parameters); a scalar. */
    public static Tensor l2Penalty(Collection<Parameter> parameters, double coefficient) {
        Tensor sum = null;
        for (Parameter p : parameters) {
            Tensor t = p.tensor();
            Tensor squares = (t.dtype() == DType.F64 || t.dtype() == DType.F32 ? t : t.to(DType.F32)).square().sum();
            sum = sum == null ? squares : sum.add(squares.to(sum.dtype()));
        }
        return sum == null ? Tensor.scalar(0) : sum.mul(coefficient);
    }

    /** c · mean((r_c + r_r)²); a scalar. */
    public static Tensor centerPenalty(Tensor chosen, Tensor rejected, double coefficient) {
        return chosen.add(rejected).square().mean().mul(coefficient);
    }
}
