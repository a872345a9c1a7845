package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Direct preference optimization. Names and defaults from trl 1.13, trl/trainer/dpo_config.py;
 * max_prompt_length and reference_free are from TRL's earlier DPOConfig (0.x), which 1.13 dropped
 * and the specification still needs (prompt-length handling, reference-free DPO).
 */
public class DPOConfig extends BaseConfig {

    /** The loss types implemented here (a subset of TRL's list). */
    public static final Set<String> LOSS_TYPES = Set.of("sigmoid", "hinge", "ipo", "robust", "sppo_hard", "apo_zero",
            "apo_down");

    /** Strength of the KL anchor to the reference (for IPO, the regulariser τ). */
    @JsonProperty("beta")
    public double beta = 0.1;

    /** One or more loss types; several are summed with loss_weights (TRL 1.13 takes a list). */
    @JsonProperty("loss_type")
    public List<String> lossType = new ArrayList<>(List.of("sigmoid"));

    @JsonProperty("loss_weights")
    public List<Double> lossWeights = null;

    /** cDPO/robust label smoothing: the assumed probability that a preference label is flipped. */
    @JsonProperty("label_smoothing")
    public double labelSmoothing = 0.0;

    /** Ignore the reference model (an implicit uniform reference). */
    @JsonProperty("reference_free")
    public boolean referenceFree = false;

    /**
     * The frozen reference model's folder; null uses model_name_or_path (TRL's default: a copy of
     * the initial policy; with use_peft, the base model without adapters).
     */
    @JsonProperty("ref_model")
    public String refModel = null;

    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    @JsonProperty("truncation_mode")
    public String truncationMode = "keep_start";

    public DPOConfig() {
        learningRate = 1e-6;
    }

    @Override
    public String stage() {
        return "dpo";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.positive("beta", beta);
        if (lossType == null || lossType.isEmpty()) {
            v.fail("loss_type", "loss_type must name at least one of " + LOSS_TYPES + ", got " + lossType);
        } else {
            for (String t : lossType) {
                v.oneOf("loss_type", t, LOSS_TYPES);
            }
            if (lossWeights != null && lossWeights.size() != lossType.size()) {
                v.fail("loss_weights", "loss_weights must have one weight per loss_type (" + lossType.size()
                        + "), got " + lossWeights.size());
            }
        }
        v.inHalfOpenRange("label_smoothing", labelSmoothing, 0, 0.5);
        PreferenceLengths.validate(v, maxLength, maxPromptLength, truncationMode);
    }
}
