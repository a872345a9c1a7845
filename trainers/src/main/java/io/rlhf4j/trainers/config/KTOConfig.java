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

    /** The frozen reference model's folder; null: model_name_or_path (the base model under use_peft). */
    @JsonProperty("ref_model")
    public String refModel = null;

    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    /** Which prompt tokens survive truncation (keep_start or keep_end), as DPO's. */
    @JsonProperty("truncation_mode")
    public String truncationMode = "keep_start";

    /**
     * Off (null, TRL's behaviour): the KL reference point z0 is estimated on each batch. Set:
     * z0 is the specification's running EMA of the batch estimates, z0 ← d·z0 + (1 − d)·KL_batch,
     * after a warmup buffer (kl_warmup_steps); d in [0, 1).
     */
    @JsonProperty("kl_ema_decay")
    public Double klEmaDecay = null;

    /**
     * With kl_ema_decay: how many training batches (micro-batches) fill the warmup buffer, during
     * which z0 is the mean of the batch estimates so far; the EMA starts from that mean. 0 acts as 1.
     */
    @JsonProperty("kl_warmup_steps")
    public int klWarmupSteps = 0;

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
        PreferenceLengths.validate(v, maxLength, maxPromptLength, truncationMode);
        if ("kto".equals(lossType) && perDeviceTrainBatchSize <= 1) {
            v.fail("per_device_train_batch_size", "loss_type kto estimates its KL term from mismatched pairs within"
                    + " a batch: per_device_train_batch_size must be > 1, got " + perDeviceTrainBatchSize);
        }
        if (klEmaDecay != null) {
            v.inHalfOpenRange("kl_ema_decay", klEmaDecay, 0, 1);
            if (!"kto".equals(lossType)) {
                v.fail("kl_ema_decay", "loss_type " + lossType + " has no KL term to average");
            }
        }
        v.nonNegative("kl_warmup_steps", klWarmupSteps);
        if (klWarmupSteps > 0 && klEmaDecay == null) {
            v.fail("kl_warmup_steps", "kl_warmup_steps applies to the KL EMA: set kl_ema_decay too");
        }
    }
}
