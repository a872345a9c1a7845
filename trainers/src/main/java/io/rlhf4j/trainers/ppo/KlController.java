package io.rlhf4j.trainers.ppo;

import java.util.Map;

/**
 * The KL penalty coefficient: fixed (kl_coef), or adaptive as Ziegler et al. 2019 and TRL 0.x's
 * AdaptiveKLController (trl/trainer/utils.py):
 *
 * <pre>
 *   e = clip(KL / target − 1, −0.2, 0.2);   kl_coef ← kl_coef·(1 + e·n / horizon)
 * </pre>
 *
 * with KL the rollout's mean per-sequence KL and n its number of samples.
 */
final class KlController {

    private final Double target;
    private final double horizon;
    private double value;

    KlController(double initial, Double target, double horizon) {
        this.value = initial;
        this.target = target;
        this.horizon = horizon;
    }

    double value() {
        return value;
    }

    void update(double currentKl, int samples) {
        if (target == null) {
            return;
        }
        double error = Math.clamp(currentKl / target - 1, -0.2, 0.2);
        value *= 1 + error * samples / horizon;
    }

    Map<String, Double> stateDict() {
        return Map.of("kl_coef", value);
    }

    void loadStateDict(Map<String, Double> state) {
        value = state.get("kl_coef");
    }
}
