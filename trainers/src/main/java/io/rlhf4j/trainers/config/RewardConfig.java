package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Reward model training (Bradley–Terry). max_length, center_rewards_coefficient and
 * disable_dropout with TRL's names and defaults (trl 1.13, trl/trainer/reward_config.py); the
 * rest are the specification's (label smoothing, L2 regularisation, ensembles) and the reward
 * model's shape (head_type, pooling, head_inner_size, head_dropout: nn.reward.RewardConfig).
 */
public class RewardConfig extends BaseConfig {

    public static final List<String> HEAD_TYPES = List.of("mlp", "score");
    public static final List<String> POOLINGS = List.of("last_token", "mean");

    /** Longest prompt + response in tokens (responses are cut to fit; null: no limit). */
    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    /**
     * Weight of the auxiliary loss that pulls the mean reward to zero (Eisenstein et al. 2023, as
     * in TRL); null turns it off.
     */
    @JsonProperty("center_rewards_coefficient")
    public Double centerRewardsCoefficient = null;

    /** Train without dropout (TRL's default); the MLP head's head_dropout is then 0. */
    @JsonProperty("disable_dropout")
    public boolean disableDropout = true;

    /** ε of the Bradley–Terry loss: BCE against the target 1 − ε (the probability a label is flipped). */
    @JsonProperty("label_smoothing")
    public double labelSmoothing = 0.0;

    /** λ₂ of the L2 penalty λ₂·Σθ² over every trained parameter (0: off). */
    @JsonProperty("l2_coefficient")
    public double l2Coefficient = 0.0;

    /** Reward models trained independently (own seed, head init, data order, optimizer, schedule). */
    @JsonProperty("ensemble_size")
    public int ensembleSize = 1;

    /** mlp: the specification's Linear → GELU → Dropout → Linear head; score: transformers' Linear(H, 1). */
    @JsonProperty("head_type")
    public String headType = "mlp";

    /** last_token (the last non-padding token) or mean (masked mean over tokens). */
    @JsonProperty("pooling")
    public String pooling = "last_token";

    /** The MLP head's inner width; 0 means the backbone's hidden size. */
    @JsonProperty("head_inner_size")
    public int headInnerSize = 0;

    /** The MLP head's dropout, used when disable_dropout is false. */
    @JsonProperty("head_dropout")
    public double headDropout = 0.1;

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
        v.inHalfOpenRange("label_smoothing", labelSmoothing, 0, 0.5);
        v.nonNegative("l2_coefficient", l2Coefficient);
        v.atLeast("ensemble_size", ensembleSize, 1);
        v.oneOf("head_type", headType, HEAD_TYPES);
        v.oneOf("pooling", pooling, POOLINGS);
        v.atLeast("head_inner_size", headInnerSize, 0);
        v.inHalfOpenRange("head_dropout", headDropout, 0, 1);
        if (usePeft) {
            v.fail("use_peft", "use_peft is not supported for reward models yet (LoRA would freeze the reward head):"
                    + " set use_peft: false");
        }
    }
}
