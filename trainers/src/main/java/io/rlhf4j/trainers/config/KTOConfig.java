package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * Kahneman–Tversky optimization. Names and defaults from trl 1.13, trl/trainer/kto_config.py;
 * max_prompt_length from TRL's earlier KTOConfig (0.x).
 */
public class KTOConfig extends BaseConfig {

    public static final Set<String> LOSS_TYPES = Set.of("kto", "apo_zero_unpaired");

    @JsonProperty("beta")
    public double beta = 0.1;

    /** λ_D, the weight of desirable examples. */
    @JsonProperty("desirable_weight")
    public double desirableWeight = 1.0;

    /** λ_U, the weight of undesirable examples. */
    @JsonProperty("undesirable_weight")
    public double undesirableWeight = 1.0;

    @JsonProperty("loss_type")
    public String lossType = "kto";

    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    public KTOConfig() {
        learningRate = 1e-6;
    }

    @Override
    public String stage() {
        return "kto";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.positive("beta", beta);
        v.positive("desirable_weight", desirableWeight);
        v.positive("undesirable_weight", undesirableWeight);
        v.oneOf("loss_type", lossType, LOSS_TYPES);
        PreferenceLengths.validate(v, maxLength, maxPromptLength, null);
    }
}
