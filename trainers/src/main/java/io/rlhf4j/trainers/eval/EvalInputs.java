package io.rlhf4j.trainers.eval;

import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.data.DatasetStats;
import io.rlhf4j.trainers.data.GRPODataset;
import io.rlhf4j.trainers.data.GRPOExample;
import io.rlhf4j.trainers.data.GRPOPromptEncoder;
import io.rlhf4j.trainers.data.PreferenceEncoder;
import io.rlhf4j.trainers.data.RecordEncoder;
import io.rlhf4j.trainers.loop.RunInputs;
import io.rlhf4j.trainers.rm.RewardEnsembleTrainer;
import io.rlhf4j.trainers.rm.RewardPair;
import io.rlhf4j.trainers.rm.RewardPairEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The loaded models and data of an evaluation; null where the config leaves an input out.
 *
 * @param policy      policy A (model_name_or_path)
 * @param reference   reference_model, for KL
 * @param baseline    baseline_model (policy B), for the win rate
 * @param rewardModel reward_model (one model or an ensemble)
 * @param prompts     prompt_file's prompts, tokenized
 * @param pairs       preference_file's pairs, tokenized
 * @param generation  how completions are sampled (EOS and pad ids of the tokenizer)
 * @param padId       the pad id for batching
 */
public record EvalInputs(CausalLM policy, CausalLM reference, CausalLM baseline, RewardModelEnsemble rewardModel,
        List<long[]> prompts, List<RewardPair> pairs, GenerationConfig generation, long padId) {

    /** Loads what {@code config} names; {@code lines} receives one description per input. */
    public static EvalInputs load(EvalConfig config, List<String> lines) throws IOException {
        Path tokenizerDir = RunInputs.requirePath("eval", "tokenizer_name_or_path", firstSet(
                config.tokenizerNameOrPath, config.modelNameOrPath, config.rewardModel));
        HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir);
        long padId = RunInputs.padId(tokenizer.specialTokens(), tokenizerDir);
        CausalLM policy = causalLm(config.modelNameOrPath, "model_name_or_path", lines);
        CausalLM reference = causalLm(config.referenceModel, "reference_model", lines);
        CausalLM baseline = causalLm(config.baselineModel, "baseline_model", lines);
        RewardModelEnsemble reward = null;
        if (config.rewardModel != null) {
            reward = RewardEnsembleTrainer.load(RunInputs.requirePath("eval", "reward_model", config.rewardModel));
            lines.add("reward_model: " + config.rewardModel + " (" + reward.size() + " model"
                    + (reward.size() == 1 ? ")" : "s)"));
        }
        List<long[]> prompts = null;
        if (config.promptFile != null) {
            Path file = RunInputs.requirePath("eval", "prompt_file", config.promptFile);
            GRPODataset data = GRPODataset.load(file, new GRPOPromptEncoder(tokenizer, config.maxPromptLength),
                    config.skipBadRecords);
            prompts = new ArrayList<>();
            for (GRPOExample e : data.examples()) {
                if (config.maxPrompts == null || prompts.size() < config.maxPrompts) {
                    prompts.add(e.promptIds());
                }
            }
            lines.add("prompt_file: " + file + ": " + data.stats() + "; " + prompts.size() + " prompts × "
                    + config.numSamples + " samples");
        }
        List<RewardPair> pairs = null;
        if (config.preferenceFile != null) {
            Path file = RunInputs.requirePath("eval", "preference_file", config.preferenceFile);
            DatasetStats stats = new DatasetStats();
            pairs = RecordEncoder.readAll(file, new RewardPairEncoder(new PreferenceEncoder(tokenizer, config.maxLength,
                    null, "keep_start")), "text", config.skipBadRecords, stats, "preference");
            lines.add("preference_file: " + file + ": " + stats);
        }
        GenerationConfig generation = generation(config, policy, tokenizer, padId);
        return new EvalInputs(policy, reference, baseline, reward, prompts, pairs, generation, padId);
    }

    /** Sampling with the config's temperature, top-k, top-p and max_new_tokens; EOS from the model or tokenizer. */
    static GenerationConfig generation(EvalConfig config, CausalLM policy, HfTokenizer tokenizer, long padId) {
        GenerationConfig g = policy != null ? GenerationConfig.forModel(policy.config()) : GenerationConfig.defaults();
        if (g.eosTokenIds().isEmpty()) {
            g = g.withEosTokenIds(tokenizer.specialTokens().eosIds());
        }
        return g.withDoSample(true).withTemperature(config.temperature).withTopK(config.topK).withTopP(config.topP)
                .withMaxNewTokens(config.maxNewTokens).withPadTokenId(padId).withSeed(config.seed);
    }

    private static CausalLM causalLm(String path, String key, List<String> lines) throws IOException {
        if (path == null) {
            return null;
        }
        CausalLM model = AutoModelForCausalLM.fromPretrained(RunInputs.requirePath("eval", key, path));
        lines.add(key + ": " + path);
        return model;
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
