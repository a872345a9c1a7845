package io.rlhf4j.trainers.config;

/**
 * SimPO: TRL's CPOConfig with loss_type simpo and cpo_alpha 0, as TRL's CPO documentation
 * prescribes for pure SimPO (trl 1.13, trl/experimental/cpo/cpo_config.py). beta and simpo_gamma
 * keep TRL's defaults (0.1 and 0.5); the SimPO paper tunes beta in 2–2.5 per model.
 */
public class SimPOConfig extends CPOConfig {

    public SimPOConfig() {
        lossType = "simpo";
        cpoAlpha = 0.0;
    }

    @Override
    public String stage() {
        return "simpo";
    }
}
