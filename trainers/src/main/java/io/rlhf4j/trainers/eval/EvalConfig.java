package io.rlhf4j.trainers.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.config.Validator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link RLHFEvaluator} measures and gates. Every metric group runs only when its inputs are
 * set (see {@link EvalMetrics}): KL needs model_name_or_path, reference_model and prompt_file;
 * diversity needs model_name_or_path and prompt_file; reward accuracy needs reward_model and
 * preference_file; the win rate needs model_name_or_path, baseline_model, reward_model and
 * prompt_file. The training keys inherited from {@link BaseConfig} are accepted and unused, except
 * seed, output_dir, report_to, per_device_eval_batch_size and skip_bad_records.
 */
public class EvalConfig extends BaseConfig {

    /** The policy's reference (usually the SFT model) for KL(policy ‖ reference). */
    @JsonProperty("reference_model")
    public String referenceModel = null;

    /** Policy B of the win rate: the policy (A) is judged against it by the reward model. */
    @JsonProperty("baseline_model")
    public String baselineModel = null;

    /** A reward model folder (rlhf4j rm output: one model, or an ensemble with ensemble.json). */
    @JsonProperty("reward_model")
    public String rewardModel = null;

    /** Where the tokenizer comes from; null takes model_name_or_path, else reward_model. */
    @JsonProperty("tokenizer_name_or_path")
    public String tokenizerNameOrPath = null;

    /** JSONL {prompt} records (GRPO's prompt-only format) the policies sample completions for. */
    @JsonProperty("prompt_file")
    public String promptFile = null;

    /** JSONL {prompt, chosen, rejected} records for the reward accuracy. */
    @JsonProperty("preference_file")
    public String preferenceFile = null;

    /** Use only the first N prompts of prompt_file; null uses all. */
    @JsonProperty("max_prompts")
    public Integer maxPrompts = null;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    /** Longest prompt + response of a preference pair (responses are cut, as rlhf4j rm); null: no limit. */
    @JsonProperty("max_length")
    public Integer maxLength = null;

    /** Completions sampled per prompt. */
    @JsonProperty("num_samples")
    public int numSamples = 4;

    @JsonProperty("max_new_tokens")
    public int maxNewTokens = 32;

    @JsonProperty("temperature")
    public double temperature = 1.0;

    /** 0 disables top-k filtering. */
    @JsonProperty("top_k")
    public int topK = 0;

    @JsonProperty("top_p")
    public double topP = 1.0;

    /** The step written with the metrics to metrics.jsonl (the training step a periodic evaluation belongs to). */
    @JsonProperty("step")
    public long step = 0;

    /**
     * Gates: {@code <metric>_min} or {@code <metric>_max} → bound, e.g. kl_max: 0.1,
     * reward_accuracy_min: 0.6, win_rate_min: 0.5. A gate passes when the metric is within its bound.
     */
    @JsonProperty("thresholds")
    public Map<String, Double> thresholds = new LinkedHashMap<>();

    public EvalConfig() {
        outputDir = "eval_output";
        reportTo = new ArrayList<>(List.of("jsonl"));
    }

    @Override
    public String stage() {
        return "eval";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.atLeast("num_samples", numSamples, 1);
        v.atLeast("max_new_tokens", maxNewTokens, 1);
        v.positive("temperature", temperature);
        v.nonNegative("top_k", topK);
        v.inClosedRange("top_p", topP, Double.MIN_VALUE, 1);
        if (maxPrompts != null) {
            v.atLeast("max_prompts", maxPrompts, 1);
        }
        if (maxPromptLength != null) {
            v.atLeast("max_prompt_length", maxPromptLength, 1);
        }
        if (maxLength != null) {
            v.atLeast("max_length", maxLength, 2);
        }
        v.nonNegative("step", step);
        if (trainFile != null || evalFile != null) {
            v.fail(trainFile != null ? "train_file" : "eval_file", "eval reads prompt_file (prompts to sample) and "
                    + "preference_file (pairs for reward accuracy), not train_file or eval_file");
        }
        if (thresholds == null) {
            v.fail("thresholds", "thresholds must be a mapping such as {kl_max: 0.1}, got null");
            return;
        }
        for (Map.Entry<String, Double> t : thresholds.entrySet()) {
            validateThreshold(v, t.getKey(), t.getValue());
        }
    }

    private void validateThreshold(Validator v, String key, Double bound) {
        Gate.Bound parsed;
        try {
            parsed = Gate.Bound.parse(key);
        } catch (IllegalArgumentException e) {
            v.fail("thresholds", "thresholds." + key + ": " + e.getMessage());
            return;
        }
        if (bound == null || !Double.isFinite(bound)) {
            v.fail("thresholds", "thresholds." + key + " must be a finite number, got " + bound);
        }
        List<String> missing = EvalMetrics.groupOf(parsed.metric()).missingInputs(this);
        if (!missing.isEmpty()) {
            v.fail("thresholds", "thresholds." + key + " gates " + parsed.metric() + ", which needs " + missing
                    + " to be set");
        }
    }
}
