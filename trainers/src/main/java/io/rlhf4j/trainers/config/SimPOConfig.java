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

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        if (!"simpo".equals(lossType)) {
            v.fail("loss_type", "the simpo stage trains loss_type simpo, got '" + lossType
                    + "' (CPO's other losses are not implemented)");
        }
        if (cpoAlpha != 0) {
            v.fail("cpo_alpha", "SimPO has no behaviour-cloning term: set cpo_alpha: 0, got " + cpoAlpha
                    + " (CPO's NLL term is not implemented)");
        }
    }
}
