package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.rlhf4j.trainers.grpo.RewardFunctions;
import java.util.List;
import java.util.Set;

/**
 * Proximal policy optimization with a value model. trl 1.13 no longer ships PPO; names and
 * defaults are those of TRL's last PPOConfig (trl/trainer/ppo_config.py, 0.x: num_ppo_epochs 4,
 * whiten_rewards false, kl_coef 0.05, cliprange 0.2, vf_coef 0.1, cliprange_value 0.2, gamma 1,
 * lam 0.95; response_length 53 and temperature 0.7 from its OnPolicyConfig; kl_estimator k1,
 * num_mini_batches 1, missing_eos_penalty and stop_token unset, as there). Keys TRL takes as
 * trainer arguments are named here: reward_model_path or reward_funcs, value_model_path,
 * max_prompt_length. Added for the specification: ent_coef (entropy regularisation),
 * share_value_backbone, and the adaptive KL controller (target_kl, horizon).
 *
 * <p>max_steps counts optimizer steps: each rollout of per_device_train_batch_size ×
 * gradient_accumulation_steps prompts gives num_ppo_epochs × num_mini_batches of them.
 */
public class PPOConfig extends BaseConfig {

    public static final Set<String> KL_ESTIMATORS = Set.of("k1", "k3");

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

    /** Per-token KL estimator of the penalty: k1 = logp − ref, k3 = exp(ref − logp) − 1 − (ref − logp). */
    @JsonProperty("kl_estimator")
    public String klEstimator = "k1";

    /** Mini-batches each rollout is split into per PPO epoch (one optimizer step each). */
    @JsonProperty("num_mini_batches")
    public int numMiniBatches = 1;

    /** Subtracted from the score of a response without the EOS token; null: no penalty. */
    @JsonProperty("missing_eos_penalty")
    public Double missingEosPenalty = null;

    /** "eos": responses end at the tokenizer's EOS; null: always response_length tokens (TRL's default). */
    @JsonProperty("stop_token")
    public String stopToken = null;

    /** Horizon of the adaptive KL controller (in rollout samples), used with target_kl. */
    @JsonProperty("horizon")
    public double horizon = 10000;

    /** Weight of the entropy bonus −ent_coef·mean entropy in the policy loss (0: TRL's loss). */
    @JsonProperty("ent_coef")
    public double entCoef = 0.0;

    /** A reward model folder (score at the response's last token); when unset, reward_funcs score the text. */
    @JsonProperty("reward_model_path")
    public String rewardModelPath = null;

    /** Built-in reward functions (io.rlhf4j.trainers.grpo.RewardFunctions) when reward_model_path is unset. */
    @JsonProperty("reward_funcs")
    public List<String> rewardFuncs = List.of("exact_match");

    /** One weight per reward function; null weighs each 1.0. */
    @JsonProperty("reward_weights")
    public List<Double> rewardWeights = null;

    /**
     * The value model's folder (a score-head reward model, or any checkpoint whose backbone gets a
     * new score head); null: reward_model_path when set, else model_name_or_path.
     */
    @JsonProperty("value_model_path")
    public String valueModelPath = null;

    /** Put the value head on the policy's hidden states instead of a separate backbone. */
    @JsonProperty("share_value_backbone")
    public boolean shareValueBackbone = false;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    @Override
    public String stage() {
        return "ppo";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.atLeast("num_ppo_epochs", numPpoEpochs, 1);
        if (streaming) {
            v.fail("streaming", "ppo reads its prompts into memory; streaming is not supported yet");
        }
        if (evalFile != null) {
            v.fail("eval_file", "ppo has no evaluation pass yet; evaluate the output with rlhf4j eval");
        }
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
        v.oneOf("kl_estimator", klEstimator, KL_ESTIMATORS);
        v.atLeast("num_mini_batches", numMiniBatches, 1);
        long batch = (long) perDeviceTrainBatchSize * gradientAccumulationSteps;
        if (numMiniBatches >= 1 && batch % numMiniBatches != 0) {
            v.fail("num_mini_batches", "per_device_train_batch_size × gradient_accumulation_steps (" + batch
                    + ") must be a multiple of num_mini_batches (" + numMiniBatches + ")");
        }
        if (stopToken != null && !stopToken.equals("eos")) {
            v.fail("stop_token", "must be 'eos' or unset, got '" + stopToken + "'");
        }
        v.positive("horizon", horizon);
        v.nonNegative("ent_coef", entCoef);
        if (maxPromptLength != null) {
            v.atLeast("max_prompt_length", maxPromptLength, 1);
        }
        if (rewardModelPath == null && (rewardFuncs == null || rewardFuncs.isEmpty())) {
            v.fail("reward_funcs", "needs at least one reward function when reward_model_path is unset");
        } else if (rewardModelPath == null && RewardFunctions.problem(rewardFuncs) != null) {
            v.fail("reward_funcs", RewardFunctions.problem(rewardFuncs));
        } else if (rewardModelPath == null && rewardWeights != null && rewardWeights.size() != rewardFuncs.size()) {
            v.fail("reward_weights", "has " + rewardWeights.size() + " weights for " + rewardFuncs.size()
                    + " reward functions");
        }
        if (fp16) {
            v.fail("fp16", "PPO steps two optimizers and does not support FP16 loss scaling: use bf16 or fp32");
        }
    }
}
