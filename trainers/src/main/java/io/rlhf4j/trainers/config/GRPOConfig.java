package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.rlhf4j.trainers.grpo.RewardFunctions;
import java.util.List;
import java.util.Set;

/**
 * Group relative policy optimization. Names and defaults from trl 1.13,
 * trl/trainer/grpo_config.py (note its beta default of 0.0: no KL term unless asked for);
 * max_prompt_length is from TRL's earlier GRPOConfig (0.x), which the specification's
 * GRPODataset needs.
 */
public class GRPOConfig extends BaseConfig {

    public static final Set<String> SCALE_REWARDS = Set.of("group", "batch", "none");
    public static final Set<String> LOSS_TYPES = Set.of("grpo", "dr_grpo", "dapo", "bnpo");

    /** Completions sampled per prompt (the group). */
    @JsonProperty("num_generations")
    public int numGenerations = 8;

    /** KL coefficient against the reference, with the k3 estimator exp(ref − π) − (ref − π) − 1. */
    @JsonProperty("beta")
    public double beta = 0.0;

    /** Policy updates per generation batch (μ in the GRPO paper). */
    @JsonProperty("num_iterations")
    public int numIterations = 1;

    /** Lower clip range of the ratio; epsilon_high (null: same as epsilon) is the upper one. */
    @JsonProperty("epsilon")
    public double epsilon = 0.2;

    @JsonProperty("epsilon_high")
    public Double epsilonHigh = null;

    @JsonProperty("temperature")
    public double temperature = 1.0;

    @JsonProperty("top_p")
    public double topP = 1.0;

    /** 0 disables top-k filtering. */
    @JsonProperty("top_k")
    public int topK = 0;

    @JsonProperty("max_prompt_length")
    public Integer maxPromptLength = 512;

    @JsonProperty("max_completion_length")
    public int maxCompletionLength = 512;

    /** Divide advantages by the std of the group, of the whole batch, or not at all. */
    @JsonProperty("scale_rewards")
    public String scaleRewards = "group";

    @JsonProperty("loss_type")
    public String lossType = "dapo";

    /** Exclude completions cut off at max_completion_length from the loss. */
    @JsonProperty("mask_truncated_completions")
    public boolean maskTruncatedCompletions = false;

    /**
     * Built-in reward functions by name (see io.rlhf4j.trainers.grpo.RewardFunctions); TRL takes
     * them as the trainer's reward_funcs argument, a config file names them here.
     */
    @JsonProperty("reward_funcs")
    public List<String> rewardFuncs = List.of("exact_match");

    /** One weight per reward function; null weighs each 1.0 (TRL's default). */
    @JsonProperty("reward_weights")
    public List<Double> rewardWeights = null;

    public GRPOConfig() {
        learningRate = 1e-6;
    }

    @Override
    public String stage() {
        return "grpo";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        v.atLeast("num_generations", numGenerations, 2);
        if (evalFile != null) {
            v.fail("eval_file", "grpo has no evaluation pass yet; evaluate the output with rlhf4j eval");
        }
        long batch = (long) perDeviceTrainBatchSize * gradientAccumulationSteps;
        if (numGenerations >= 2 && batch % numGenerations != 0) {
            v.fail("num_generations", "per_device_train_batch_size × gradient_accumulation_steps (" + batch
                    + ") must be divisible by num_generations (" + numGenerations + ") so groups are whole");
        }
        v.nonNegative("beta", beta);
        v.atLeast("num_iterations", numIterations, 1);
        v.positive("epsilon", epsilon);
        if (epsilonHigh != null) {
            v.atLeast("epsilon_high", epsilonHigh, epsilon);
        }
        v.positive("temperature", temperature);
        v.inClosedRange("top_p", topP, Double.MIN_VALUE, 1);
        v.nonNegative("top_k", topK);
        if (maxPromptLength != null) {
            v.atLeast("max_prompt_length", maxPromptLength, 1);
        }
        v.atLeast("max_completion_length", maxCompletionLength, 1);
        v.oneOf("scale_rewards", scaleRewards, SCALE_REWARDS);
        v.oneOf("loss_type", lossType, LOSS_TYPES);
        if (rewardFuncs == null || rewardFuncs.isEmpty()) {
            v.fail("reward_funcs", "needs at least one reward function");
        } else if (RewardFunctions.problem(rewardFuncs) != null) {
            v.fail("reward_funcs", RewardFunctions.problem(rewardFuncs));
        } else if (rewardWeights != null && rewardWeights.size() != rewardFuncs.size()) {
            v.fail("reward_weights", "has " + rewardWeights.size() + " weights for " + rewardFuncs.size()
                    + " reward functions");
        }
    }
}
