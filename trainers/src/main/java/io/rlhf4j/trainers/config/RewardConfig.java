package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reward model training (Bradley–Terry). Names and defaults from trl 1.13,
 * trl/trainer/reward_config.py.
 */
public class RewardConfig extends BaseConfig {

    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    /**
     * Weight of the auxiliary loss that pulls the mean reward to zero (Eisenstein et al. 2023, as
     * in TRL); null turns it off.
     */
    @JsonProperty("center_rewards_coefficient")
    public Double centerRewardsCoefficient = null;

    @JsonProperty("disable_dropout")
    public boolean disableDropout = true;

    public RewardConfig() {
        learningRate = 1e-4;
    }

    @Override
    public String stage() {
        return "rm";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        if (maxLength != null) {
            v.atLeast("max_length", maxLength, 1);
        }
        if (centerRewardsCoefficient != null) {
            v.nonNegative("center_rewards_coefficient", centerRewardsCoefficient);
        }
    }
}
