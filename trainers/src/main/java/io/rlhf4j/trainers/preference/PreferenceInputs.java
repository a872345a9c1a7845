package io.rlhf4j.trainers.preference;

import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.data.PreferenceDataset;
import io.rlhf4j.trainers.data.PreferenceEncoder;
import io.rlhf4j.trainers.data.PreferenceExample;
import io.rlhf4j.trainers.data.StreamingPreferenceDataset;
import io.rlhf4j.trainers.loop.RunInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data side of a preference stage's config: the tokenizer of model_name_or_path, train_file
 * (streamed when streaming is set) and eval_file read as {@code {prompt, chosen, rejected}}
 * records, the pad id, and the lines describing them.
 *
 * @param eval held-out pairs, or null without eval_file
 */
public record PreferenceInputs(Path modelDir, DataSource<PreferenceExample> train, List<PreferenceExample> eval,
        long padId, List<String> lines) {

    /** Reads what {@code config} names, with the stage's length rules. */
    public static PreferenceInputs load(BaseConfig config, Integer maxLength, Integer maxPromptLength,
            String truncationMode) {
        String stage = config.stage().toUpperCase(java.util.Locale.ROOT);
        Path modelDir = RunInputs.requirePath(stage, "model_name_or_path", config.modelNameOrPath);
        Path trainFile = RunInputs.requirePath(stage, "train_file", config.trainFile);
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, maxLength, maxPromptLength, truncationMode);
        List<String> lines = new ArrayList<>();
        DataSource<PreferenceExample> train;
        if (config.streaming) {
            train = new StreamingPreferenceDataset(trainFile, encoder, config.skipBadRecords, config.shuffleBufferSize,
                    config.seed);
            lines.add("train: streaming " + trainFile + " (shuffle buffer " + config.shuffleBufferSize + ")");
        } else {
            PreferenceDataset data = PreferenceDataset.load(trainFile, encoder, config.skipBadRecords);
            train = new InMemorySource<>(data.examples(), config.seed, true);
            lines.add("train: " + trainFile + ": " + data.stats());
        }
        List<PreferenceExample> eval = null;
        if (config.evalFile != null) {
            Path evalFile = RunInputs.requirePath(stage, "eval_file", config.evalFile);
            PreferenceDataset data = PreferenceDataset.load(evalFile, encoder, config.skipBadRecords);
            eval = data.examples();
            lines.add("eval: " + evalFile + ": " + data.stats());
        }
        return new PreferenceInputs(modelDir, train, eval, RunInputs.padId(tokenizer.specialTokens(), modelDir),
                lines);
    }
}
