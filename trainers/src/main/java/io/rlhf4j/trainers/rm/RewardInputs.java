package io.rlhf4j.trainers.rm;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.reward.HeadType;
import io.rlhf4j.nn.reward.Pooling;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.DatasetStats;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.data.PreferenceEncoder;
import io.rlhf4j.trainers.data.RecordEncoder;
import io.rlhf4j.trainers.data.ShuffledStream;
import io.rlhf4j.trainers.loop.RunInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a reward-model run reads, once for every ensemble member: the tokenizer of
 * model_name_or_path, train_file (kept in memory, or streamed when streaming is set) and
 * eval_file as {@code {prompt, chosen, rejected[, margin]}} records, the pad id; and how each
 * member gets its model and its data order.
 *
 * @param trainPairs the tokenized training pairs, or null when streaming
 * @param eval       held-out pairs, or null without eval_file
 */
public record RewardInputs(RewardConfig config, Path modelDir, RewardPairEncoder encoder, List<RewardPair> trainPairs,
        List<RewardPair> eval, long padId, List<String> lines) {

    /** A reward model folder (RewardModel.savePretrained) has this file; a base or causal-LM folder does not. */
    static final String REWARD_MODEL_MARKER = "reward_config.json";

    public static RewardInputs load(RewardConfig config) {
        Path modelDir = RunInputs.requirePath("RM", "model_name_or_path", config.modelNameOrPath);
        Path trainFile = RunInputs.requirePath("RM", "train_file", config.trainFile);
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        // TRL's RewardTrainer has one max_length for prompt + response: the prompt is kept and responses are cut.
        RewardPairEncoder encoder = new RewardPairEncoder(new PreferenceEncoder(tokenizer, config.maxLength, null,
                "keep_start"));
        List<String> lines = new ArrayList<>();
        List<RewardPair> train = null;
        if (config.streaming) {
            lines.add("train: streaming " + trainFile + " (shuffle buffer " + config.shuffleBufferSize + ")");
        } else {
            DatasetStats stats = new DatasetStats();
            train = RecordEncoder.readAll(trainFile, encoder, "text", config.skipBadRecords, stats, "preference");
            lines.add("train: " + trainFile + ": " + stats);
        }
        List<RewardPair> eval = null;
        if (config.evalFile != null) {
            Path evalFile = RunInputs.requirePath("RM", "eval_file", config.evalFile);
            DatasetStats stats = new DatasetStats();
            eval = RecordEncoder.readAll(evalFile, encoder, "text", config.skipBadRecords, stats, "preference");
            lines.add("eval: " + evalFile + ": " + stats);
        }
        return new RewardInputs(config, modelDir, encoder, train, eval,
                RunInputs.padId(tokenizer.specialTokens(), modelDir), lines);
    }

    /** The training pairs in the order of a run seeded with {@code seed}. */
    public DataSource<RewardPair> trainSource(long seed) {
        if (trainPairs == null) {
            return new ShuffledStream<>(Path.of(config.trainFile), encoder, "preference", "text", config.skipBadRecords,
                    config.shuffleBufferSize, seed);
        }
        return new InMemorySource<>(trainPairs, seed, true);
    }

    /**
     * The model a member seeded with {@code seed} starts from: a reward model folder loads as it
     * was saved; any other checkpoint gives its backbone a new head, initialised from
     * {@code Generator.seed(seed).fork("reward-head")}.
     */
    public RewardModel newModel(long seed) throws IOException {
        if (Files.isRegularFile(modelDir.resolve(REWARD_MODEL_MARKER))) {
            return RewardModel.fromPretrained(modelDir);
        }
        return RewardModel.fromBase(modelDir, headConfig(config), Generator.seed(seed).fork("reward-head"));
    }

    /** The head and pooling the config describes; disable_dropout turns the head's dropout off. */
    public static io.rlhf4j.nn.reward.RewardConfig headConfig(RewardConfig c) {
        HeadType head = HeadType.fromJsonName(c.headType);
        double dropout = head == HeadType.MLP && !c.disableDropout ? c.headDropout : 0;
        return new io.rlhf4j.nn.reward.RewardConfig(head, Pooling.fromJsonName(c.pooling),
                head == HeadType.MLP ? c.headInnerSize : 0, dropout);
    }
}
