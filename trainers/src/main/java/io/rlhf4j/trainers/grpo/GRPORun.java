package io.rlhf4j.trainers.grpo;

import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.GRPODataset;
import io.rlhf4j.trainers.data.GRPOExample;
import io.rlhf4j.trainers.data.GRPOPromptEncoder;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.data.StreamingGRPODataset;
import io.rlhf4j.trainers.loop.RunInputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A GRPO run from its config: policy and tokenizer from model_name_or_path, a second copy of it as
 * the frozen reference when beta ≠ 0, prompts from train_file (streamed when streaming is set),
 * reward functions from reward_funcs. The trainer copies the tokenizer files next to the saved
 * model, so the output folder loads on its own.
 */
public final class GRPORun {

    private GRPORun() {
    }

    public static GRPOTrainer trainer(GRPOConfig config) throws IOException {
        Path modelDir = RunInputs.requirePath("GRPO", "model_name_or_path", config.modelNameOrPath);
        Path trainFile = RunInputs.requirePath("GRPO", "train_file", config.trainFile);
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        CausalLM reference = config.beta != 0 ? AutoModelForCausalLM.fromPretrained(modelDir) : null;
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        GRPOPromptEncoder encoder = new GRPOPromptEncoder(tokenizer, config.maxPromptLength);
        List<String> lines = new ArrayList<>();
        DataSource<GRPOExample> prompts;
        if (config.streaming) {
            prompts = new StreamingGRPODataset(trainFile, encoder, config.skipBadRecords, config.shuffleBufferSize,
                    config.seed);
            lines.add("train: streaming " + trainFile + " (shuffle buffer " + config.shuffleBufferSize + ")");
        } else {
            GRPODataset data = GRPODataset.load(trainFile, encoder, config.skipBadRecords);
            prompts = new InMemorySource<>(data.examples(), config.seed, true);
            lines.add("train: " + trainFile + ": " + data.stats());
        }
        List<RewardFunction> rewards;
        try {
            rewards = RewardFunctions.parse(config.rewardFuncs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        lines.add("rewards: " + config.rewardFuncs + (config.rewardWeights == null ? "" : " weights "
                + config.rewardWeights));
        GRPOTrainer trainer = new GRPOTrainer(config, model, reference, tokenizer, prompts, rewards);
        trainer.describeAlso(lines);
        trainer.copyTokenizerFrom(modelDir);
        return trainer;
    }
}
