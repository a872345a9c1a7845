package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Proximal policy optimization with a value model. trl 1.13 no longer ships PPO; names and
 * defaults are those of TRL's last PPOConfig (trl/trainer/ppo_config.py, 0.x: num_ppo_epochs 4,
 * whiten_rewards false, kl_coef 0.05, cliprange 0.2, vf_coef 0.1, cliprange_value 0.2, gamma 1,
 * lam 0.95; response_length 53 and temperature 0.7 from its OnPolicyConfig).
 */
public class PPOConfig extends BaseConfig {

    @JsonProperty("num_ppo_epochs")
    public int numPpoEpochs = 4;

    @JsonProperty("whiten_rewards")
    public boolean whitenRewards = false;

    /** Coefficient of the per-token KL penalty folded into the rewards. */
    @JsonProperty("kl_coef")
    public double klCoef = 0.05;

    /**
     * When set, kl_coef adapts to keep the observed KL near this target (the adaptive controller
     * of Ziegler et al. 2019); null keeps kl_coef fixed.
     */
    @JsonProperty("target_kl")
    public Double targetKl = null;

    @JsonProperty("cliprange")
    public double cliprange = 0.2;

    @JsonProperty("vf_coef")
    public double vfCoef = 0.1;

    @JsonProperty("cliprange_value")
    public double cliprangeValue = 0.2;

    /** Discount factor γ of GAE. */
    @JsonProperty("gamma")
    public double gamma = 1.0;

    /** GAE's λ. */
    @JsonProperty("lam")
    public double lam = 0.95;

    /** Tokens generated per rollout. */
    @JsonProperty("response_length")
    public int responseLength = 53;

    @JsonProperty("temperature")
    public double temperature = 0.7;

    @Override
    public String stage() {
        return "ppo";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.atLeast("num_ppo_epochs", numPpoEpochs, 1);
        v.nonNegative("kl_coef", klCoef);
        if (targetKl != null) {
            v.positive("target_kl", targetKl);
        }
        v.positive("cliprange", cliprange);
        v.nonNegative("vf_coef", vfCoef);
        v.positive("cliprange_value", cliprangeValue);
        v.inClosedRange("gamma", gamma, 0, 1);
        v.inClosedRange("lam", lam, 0, 1);
        v.atLeast("response_length", responseLength, 1);
        v.positive("temperature", temperature);
    }
}
