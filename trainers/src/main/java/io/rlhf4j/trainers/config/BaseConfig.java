package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The fields every stage shares: optimizer, schedule, batching, precision, logging and
 * checkpoint cadence, and where the data and model come from. Key names and defaults are those of
 * transformers' TrainingArguments (transformers 5.x, training_args.py) with TRL's _BaseConfig
 * overrides (trl 1.13, trl/trainer/base_config.py), so a TRL YAML config carries over unchanged
 * for these keys. Stage configs add only their own hyperparameters.
 *
 * <p>Fields are public and mutable like the dataclasses they mirror; {@link ConfigLoader} fills
 * them from a file and {@code --set} overrides, then calls {@link #validate()}.
 */
@JsonAutoDetect(fieldVisibility = Visibility.PUBLIC_ONLY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public abstract class BaseConfig {

    public static final Set<String> LR_SCHEDULER_TYPES = Set.of("linear", "cosine", "constant", "constant_with_warmup");

    /** Report targets: jsonl and tensorboard are written; wandb is accepted and skipped with a warning. */
    public static final Set<String> REPORT_TARGETS = Set.of("none", "all", "jsonl", "tensorboard", "wandb");

    @JsonProperty("learning_rate")
    public double learningRate = 5e-5;

    @JsonProperty("weight_decay")
    public double weightDecay = 0.0;

    @JsonProperty("adam_beta1")
    public double adamBeta1 = 0.9;

    @JsonProperty("adam_beta2")
    public double adamBeta2 = 0.999;

    @JsonProperty("adam_epsilon")
    public double adamEpsilon = 1e-8;

    /** Steps of linear warmup; a value in (0, 1) is a ratio of the total steps (transformers 5). */
    @JsonProperty("warmup_steps")
    public double warmupSteps = 0;

    /** transformers 4's ratio spelling, kept so older configs load; set it or warmup_steps, not both. */
    @JsonProperty("warmup_ratio")
    public double warmupRatio = 0.0;

    @JsonProperty("lr_scheduler_type")
    public String lrSchedulerType = "linear";

    @JsonProperty("gradient_accumulation_steps")
    public int gradientAccumulationSteps = 1;

    @JsonProperty("per_device_train_batch_size")
    public int perDeviceTrainBatchSize = 8;

    @JsonProperty("per_device_eval_batch_size")
    public int perDeviceEvalBatchSize = 8;

    @JsonProperty("num_train_epochs")
    public double numTrainEpochs = 3.0;

    /** When > 0, the number of optimizer steps, overriding num_train_epochs; -1 trains for the epochs. */
    @JsonProperty("max_steps")
    public long maxSteps = -1;

    /** Clip the global gradient norm to this; 0 turns clipping off (as in transformers). */
    @JsonProperty("max_grad_norm")
    public double maxGradNorm = 1.0;

    /**
     * BF16 autocast. TRL's default (null) means "BF16 unless fp16 is set"; here null means BF16
     * where the device supports BF16 autocast and FP32 elsewhere, and true on a device that does
     * not support it is an error (see DeviceManager).
     */
    @JsonProperty("bf16")
    public Boolean bf16 = null;

    @JsonProperty("fp16")
    public boolean fp16 = false;

    /** Optimizer steps between logs; a value below 1 is a ratio of the total steps. */
    @JsonProperty("logging_steps")
    public double loggingSteps = 10;

    /** Optimizer steps between evaluations (ratio below 1); null evaluates every logging_steps. */
    @JsonProperty("eval_steps")
    public Double evalSteps = null;

    /** Optimizer steps between checkpoints (ratio below 1). */
    @JsonProperty("save_steps")
    public double saveSteps = 500;

    /** How many checkpoints to keep, newest first; null keeps all. */
    @JsonProperty("save_total_limit")
    public Integer saveTotalLimit = null;

    @JsonProperty("seed")
    public long seed = 42;

    @JsonProperty("output_dir")
    public String outputDir = "trainer_output";

    /**
     * Where metrics go besides the console. transformers defaults to none; rlhf4j writes
     * metrics.jsonl and TensorBoard event files into the run folder unless told otherwise.
     */
    @JsonProperty("report_to")
    public List<String> reportTo = new ArrayList<>(List.of("jsonl", "tensorboard"));

    @JsonProperty("run_name")
    public String runName = null;

    @JsonProperty("model_name_or_path")
    public String modelNameOrPath = null;

    @JsonProperty("train_file")
    public String trainFile = null;

    @JsonProperty("eval_file")
    public String evalFile = null;

    /** Skip (and count) records that fail to parse or tokenize instead of stopping the run. */
    @JsonProperty("skip_bad_records")
    public boolean skipBadRecords = false;

    /** Read train_file lazily through a shuffle buffer instead of loading it (needs max_steps). */
    @JsonProperty("streaming")
    public boolean streaming = false;

    /** Records held by the streaming shuffle buffer (datasets' IterableDataset.shuffle default). */
    @JsonProperty("shuffle_buffer_size")
    public int shuffleBufferSize = 1000;

    // LoRA keys: the names and defaults of TRL's ModelConfig (trl 1.13, trl/trainer/model_config.py),
    // turned into a PEFT LoraConfig as trl.get_peft_config does (task CAUSAL_LM, bias none).

    /** Train LoRA adapters on a frozen base model instead of every weight; output_dir gets the adapter. */
    @JsonProperty("use_peft")
    public boolean usePeft = false;

    @JsonProperty("lora_r")
    public int loraR = 16;

    /** Adapter scaling is lora_alpha / lora_r. */
    @JsonProperty("lora_alpha")
    public double loraAlpha = 32;

    @JsonProperty("lora_dropout")
    public double loraDropout = 0.05;

    /**
     * Module names (suffix match, as PEFT's list form) or [all-linear]; null takes PEFT's defaults
     * for the model type (q_proj, v_proj for Llama). TRL turns a one-name list into a string, which
     * PEFT reads as a full-match regex of the dotted path; a name is kept a name here.
     */
    @JsonProperty("lora_target_modules")
    public List<String> loraTargetModules = null;

    /** The metric prefix of this stage: sft, rm, dpo, grpo, simpo, kto or ppo. */
    public abstract String stage();

    /** Every broken rule, empty when the config is valid. */
    public final List<Validator.Problem> validate() {
        Validator v = new Validator();
        validate(v);
        return v.problems();
    }

    /** Subclasses add their own rules after calling {@code super.validate(v)}. */
    protected void validate(Validator v) {
        v.positive("learning_rate", learningRate);
        v.nonNegative("weight_decay", weightDecay);
        v.inHalfOpenRange("adam_beta1", adamBeta1, 0, 1);
        v.inHalfOpenRange("adam_beta2", adamBeta2, 0, 1);
        v.nonNegative("adam_epsilon", adamEpsilon);
        v.nonNegative("warmup_steps", warmupSteps);
        v.inClosedRange("warmup_ratio", warmupRatio, 0, 1);
        if (warmupSteps > 0 && warmupRatio > 0) {
            v.fail("warmup_ratio", "warmup_ratio and warmup_steps are both set (" + Validator.format(warmupRatio)
                    + ", " + Validator.format(warmupSteps) + "): set one of them");
        }
        v.oneOf("lr_scheduler_type", lrSchedulerType, LR_SCHEDULER_TYPES);
        v.atLeast("gradient_accumulation_steps", gradientAccumulationSteps, 1);
        v.atLeast("per_device_train_batch_size", perDeviceTrainBatchSize, 1);
        v.atLeast("per_device_eval_batch_size", perDeviceEvalBatchSize, 1);
        if (maxSteps == 0 || maxSteps < -1) {
            v.fail("max_steps", "max_steps must be > 0, or -1 to train for num_train_epochs, got " + maxSteps);
        }
        if (maxSteps <= 0) {
            v.positive("num_train_epochs", numTrainEpochs);
        }
        v.nonNegative("max_grad_norm", maxGradNorm);
        if (fp16 && Boolean.TRUE.equals(bf16)) {
            v.fail("fp16", "fp16 and bf16 are both true: choose one precision");
        }
        v.positive("logging_steps", loggingSteps);
        if (evalSteps != null) {
            v.positive("eval_steps", evalSteps);
        }
        v.positive("save_steps", saveSteps);
        if (saveTotalLimit != null) {
            v.atLeast("save_total_limit", saveTotalLimit, 1);
        }
        if (outputDir == null || outputDir.isBlank()) {
            v.fail("output_dir", "output_dir must name a folder, got " + (outputDir == null ? "null" : "''"));
        }
        validateReportTo(v);
        validateLora(v);
        v.atLeast("shuffle_buffer_size", shuffleBufferSize, 1);
        if (streaming && maxSteps <= 0) {
            v.fail("streaming", "streaming: true reads a dataset of unknown size: set max_steps (> 0) as well");
        }
    }

    private void validateLora(Validator v) {
        v.atLeast("lora_r", loraR, 1);
        v.positive("lora_alpha", loraAlpha);
        v.inHalfOpenRange("lora_dropout", loraDropout, 0, 1);
        if (loraTargetModules != null && (loraTargetModules.isEmpty()
                || loraTargetModules.stream().anyMatch(m -> m == null || m.isBlank()))) {
            v.fail("lora_target_modules", "lora_target_modules must list module names such as [q_proj, v_proj]"
                    + " or [all-linear], or be null for the model's defaults, got " + loraTargetModules);
        }
    }

    private void validateReportTo(Validator v) {
        if (reportTo == null) {
            v.fail("report_to", "report_to must be a list such as [jsonl, tensorboard] or [none], got null");
            return;
        }
        for (String target : reportTo) {
            v.oneOf("report_to", target, REPORT_TARGETS);
        }
        if (reportTo.size() > 1 && reportTo.contains("none")) {
            v.fail("report_to", "report_to lists 'none' together with " + reportTo + ": use [none] alone");
        }
    }

    /** Whether metrics go to {@code target} (jsonl, tensorboard, wandb) given report_to and "all". */
    public boolean reportsTo(String target) {
        return reportTo.contains(target) || reportTo.contains("all");
    }
}
