package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.nn.value.ValueModel;
import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.GRPODataset;
import io.rlhf4j.trainers.data.GRPOExample;
import io.rlhf4j.trainers.data.GRPOPromptEncoder;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.grpo.RewardFunctions;
import io.rlhf4j.trainers.loop.RunInputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A PPO run from its config: policy, frozen reference (a second copy) and tokenizer from
 * model_name_or_path; prompts from train_file ({prompt} records, as GRPO's); the score from
 * reward_model_path or else reward_funcs; the value model from value_model_path, else
 * reward_model_path, else model_name_or_path (TRL initialises it from the reward model), or a new
 * head on the policy with share_value_backbone.
 */
public final class PPORun {

    private PPORun() {
    }

    public static PPOTrainer trainer(PPOConfig config) throws IOException {
        Path modelDir = RunInputs.requirePath("PPO", "model_name_or_path", config.modelNameOrPath);
        Path trainFile = RunInputs.requirePath("PPO", "train_file", config.trainFile);
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        CausalLM reference = AutoModelForCausalLM.fromPretrained(modelDir);
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        GRPODataset data = GRPODataset.load(trainFile, new GRPOPromptEncoder(tokenizer, config.maxPromptLength),
                config.skipBadRecords);
        DataSource<GRPOExample> prompts = new InMemorySource<>(data.examples(), config.seed, true);
        List<String> lines = new ArrayList<>();
        lines.add("train: " + trainFile + ": " + data.stats());
        ResponseScorer scorer;
        if (config.rewardModelPath != null) {
            Path rm = RunInputs.requirePath("PPO", "reward_model_path", config.rewardModelPath);
            scorer = ResponseScorer.of(RewardModel.fromPretrained(rm));
            lines.add("reward model: " + rm);
        } else {
            try {
                scorer = ResponseScorer.of(RewardFunctions.parse(config.rewardFuncs), config.rewardWeights);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            lines.add("rewards: " + config.rewardFuncs + (config.rewardWeights == null ? ""
                    : " weights " + config.rewardWeights));
        }
        Generator init = Generator.seed(config.seed).fork("value_head");
        ValueModel value;
        if (config.shareValueBackbone) {
            if (!(model instanceof PreTrainedCausalLM policy)) {
                throw new ConfigException("share_value_backbone: the policy is not a transformer with hidden states");
            }
            value = ValueModel.shared(policy, init);
            lines.add("value model: a score head on the policy's backbone");
        } else {
            String from = config.valueModelPath != null ? config.valueModelPath
                    : config.rewardModelPath != null ? config.rewardModelPath : config.modelNameOrPath;
            Path dir = RunInputs.requirePath("PPO", "value_model_path", from);
            value = ValueModel.fromPretrained(dir, init);
            lines.add("value model: " + dir);
        }
        PPOTrainer trainer = new PPOTrainer(config, model, reference, value, tokenizer, prompts, scorer);
        trainer.describeAlso(lines);
        trainer.copyTokenizerFrom(modelDir);
        return trainer;
    }
}
