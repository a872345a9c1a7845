package io.rlhf4j.nn.lora;

import java.io.IOException;
import java.nio.file.Path;

/**
 * PEFT's LoraConfig, the fields rlhf4j implements, with PEFT's defaults (peft 0.21
 * tuners/lora/config.py) and its JSON names in {@link AdapterConfigJson}.
 *
 * @param r                    rank of the update (r)
 * @param loraAlpha            lora_alpha; the update is scaled by lora_alpha / r
 * @param loraDropout          lora_dropout, applied to the adapter's input in training
 * @param targetModules        target_modules; null means PEFT's default for the model type
 * @param excludeModules       exclude_modules (same matching rules), or null
 * @param bias                 bias; only "none" (no bias is trained) is implemented
 * @param fanInFanOut          fan_in_fan_out: the base weight is stored [in, out] (GPT-2's Conv1D);
 *                             as in PEFT it is forced to match the layer type at apply time
 * @param useRslora            use_rslora: scale by lora_alpha / √r (Kalajdzievski 2023)
 * @param taskType             task_type, "CAUSAL_LM" for the models of this module
 * @param baseModelNameOrPath  base_model_name_or_path written to adapter_config.json, or null
 * @param inferenceMode        inference_mode: adapter weights frozen too
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, TargetModules targetModules,
        TargetModules excludeModules, String bias, boolean fanInFanOut, boolean useRslora, String taskType,
        String baseModelNameOrPath, boolean inferenceMode) {

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA r must be positive, got " + r);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (!"none".equals(bias)) {
            throw new UnsupportedOperationException("LoRA bias \"" + bias + "\" is not implemented; use \"none\"");
        }
    }

    /** The factor of B·A: lora_alpha / r, or lora_alpha / √r with use_rslora (PEFT's update_layer). */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /** Reads adapter_config.json from a PEFT adapter folder (LoraConfig.from_pretrained). */
    public static LoraConfig fromPretrained(Path adapterDirectory) throws IOException {
        return AdapterConfigJson.read(adapterDirectory);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder().r(r).loraAlpha(loraAlpha).loraDropout(loraDropout).targetModules(targetModules)
                .excludeModules(excludeModules).bias(bias).fanInFanOut(fanInFanOut).useRslora(useRslora)
                .taskType(taskType).baseModelNameOrPath(baseModelNameOrPath).inferenceMode(inferenceMode);
    }

    /** Builds a config; unset fields take PEFT's defaults (r 8, lora_alpha 8, dropout 0, bias "none"). */
    public static final class Builder {
        private int r = 8;
        private double loraAlpha = 8;
        private double loraDropout;
        private TargetModules targetModules;
        private TargetModules excludeModules;
        private String bias = "none";
        private boolean fanInFanOut;
        private boolean useRslora;
        private String taskType = "CAUSAL_LM";
        private String baseModelNameOrPath;
        private boolean inferenceMode;

        private Builder() {
        }

        public Builder r(int value) {
            r = value;
            return this;
        }

        public Builder loraAlpha(double value) {
            loraAlpha = value;
            return this;
        }

        public Builder loraDropout(double value) {
            loraDropout = value;
            return this;
        }

        public Builder targetModules(TargetModules value) {
            targetModules = value;
            return this;
        }

        /** Module names or suffixes, or the single string "all-linear". */
        public Builder targetModules(String... names) {
            return targetModules(names.length == 1 && names[0].equalsIgnoreCase(TargetModules.ALL_LINEAR)
                    ? TargetModules.allLinear() : TargetModules.of(names));
        }

        public Builder excludeModules(TargetModules value) {
            excludeModules = value;
            return this;
        }

        public Builder bias(String value) {
            bias = value;
            return this;
        }

        public Builder fanInFanOut(boolean value) {
            fanInFanOut = value;
            return this;
        }

        public Builder useRslora(boolean value) {
            useRslora = value;
            return this;
        }

        public Builder taskType(String value) {
            taskType = value;
            return this;
        }

        public Builder baseModelNameOrPath(String value) {
            baseModelNameOrPath = value;
            return this;
        }

        public Builder inferenceMode(boolean value) {
            inferenceMode = value;
            return this;
        }

        public LoraConfig build() {
            return new LoraConfig(r, loraAlpha, loraDropout, targetModules, excludeModules, bias, fanInFanOut,
                    useRslora, taskType, baseModelNameOrPath, inferenceMode);
        }
    }
}
