package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * Contrastive preference optimization, the reference-free family SimPO belongs to. Names and
 * defaults from trl 1.13, trl/experimental/cpo/cpo_config.py.
 */
public class CPOConfig extends BaseConfig {

    public static final Set<String> LOSS_TYPES = Set.of("sigmoid", "hinge", "ipo", "simpo");

    @JsonProperty("beta")
    public double beta = 0.1;

    @JsonProperty("label_smoothing")
    public double labelSmoothing = 0.0;

    @JsonProperty("loss_type")
    public String lossType = "sigmoid";

    /** Weight of the behaviour-cloning (NLL on chosen) term; SimPO uses 0. */
    @JsonProperty("cpo_alpha")
    public double cpoAlpha = 1.0;

    /** SimPO's target reward margin γ (used by loss_type simpo only). */
    @JsonProperty("simpo_gamma")
    public double simpoGamma = 0.5;

    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    @JsonProperty("truncation_mode")
    public String truncationMode = "keep_start";

    public CPOConfig() {
        learningRate = 1e-6;
    }

    @Override
    public String stage() {
        return "cpo";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.positive("beta", beta);
        v.inHalfOpenRange("label_smoothing", labelSmoothing, 0, 0.5);
        v.oneOf("loss_type", lossType, LOSS_TYPES);
        v.nonNegative("cpo_alpha", cpoAlpha);
        v.nonNegative("simpo_gamma", simpoGamma);
        PreferenceLengths.validate(v, maxLength, maxPromptLength, truncationMode);
    }
}
