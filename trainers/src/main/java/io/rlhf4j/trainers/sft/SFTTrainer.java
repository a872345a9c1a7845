package io.rlhf4j.trainers.sft;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.data.SFTBatch;
import io.rlhf4j.trainers.data.SFTDataset;
import io.rlhf4j.trainers.data.SFTEncoder;
import io.rlhf4j.trainers.data.SFTExample;
import io.rlhf4j.trainers.data.StreamingSFTDataset;
import io.rlhf4j.trainers.loop.RunInputs;
import io.rlhf4j.trainers.loop.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning: next-token cross-entropy on the labelled tokens of {@link SFTExample}s
 * (response tokens, assistant turns, or all), normalised over the accumulation window's label
 * tokens ({@link Trainer}). Evaluation reports the same loss over eval_file as sft/eval_loss: the
 * sum over all its label tokens divided by their number.
 */
public final class SFTTrainer extends Trainer<SFTConfig, SFTExample, SFTBatch, CausalLM> {

    private final Collator collator;
    private final SFTDataset eval;
    private final List<String> description = new ArrayList<>();

    /**
     * @param eval  held-out examples, or null
     * @param padId the id padding positions get (their labels are −100 whatever it is)
     */
    public SFTTrainer(SFTConfig config, CausalLM model, DataSource<SFTExample> train, SFTDataset eval, long padId) {
        super(config, model, train);
        this.collator = new Collator(padId);
        this.eval = eval;
    }

    /**
     * The trainer a config describes: model and tokenizer from model_name_or_path, training
     * records from train_file (streamed when streaming is set), held-out records from eval_file.
     */
    public static SFTTrainer fromConfig(SFTConfig config) throws IOException {
        Path modelDir = requirePath("model_name_or_path", config.modelNameOrPath);
        Path trainFile = requirePath("train_file", config.trainFile);
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        SFTEncoder encoder = new SFTEncoder(tokenizer, config);
        List<String> lines = new ArrayList<>();
        DataSource<SFTExample> train;
        if (config.streaming) {
            train = new StreamingSFTDataset(trainFile, encoder, config.datasetTextField, config.skipBadRecords,
                    config.shuffleBufferSize, config.seed);
            lines.add("train: streaming " + trainFile + " (shuffle buffer " + config.shuffleBufferSize + ")");
        } else {
            SFTDataset data = SFTDataset.load(trainFile, encoder, config.datasetTextField, config.skipBadRecords);
            train = new InMemorySource<>(data.examples(), config.seed, true);
            lines.add("train: " + trainFile + ": " + data.stats());
        }
        SFTDataset eval = null;
        if (config.evalFile != null) {
            Path evalFile = requirePath("eval_file", config.evalFile);
            eval = SFTDataset.load(evalFile, encoder, config.datasetTextField, config.skipBadRecords);
            lines.add("eval: " + evalFile + ": " + eval.stats());
        }
        SFTTrainer trainer = new SFTTrainer(config, model, train, eval,
                RunInputs.padId(tokenizer.specialTokens(), modelDir));
        trainer.copyTokenizerFrom(modelDir);
        trainer.description.addAll(lines);
        return trainer;
    }

    private static Path requirePath(String key, String value) {
        return RunInputs.requirePath("SFT", key, value);
    }

    @Override
    protected SFTBatch prepare(List<SFTExample> examples) {
        return collator.collate(examples);
    }

    @Override
    protected long lossItems(SFTBatch batch) {
        return batch.lossTokens();
    }

    @Override
    protected long tokens(SFTBatch batch) {
        return batch.tokens();
    }

    @Override
    protected Tensor loss(SFTBatch batch, double windowItems) {
        return CausalLMLoss.sum(model, batch).div(windowItems);
    }

    @Override
    protected boolean hasEvaluation() {
        return eval != null;
    }

    @Override
    protected Map<String, Double> evaluate() {
        double sum = 0;
        long items = 0;
        List<SFTExample> all = eval.examples();
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < all.size(); from += config.perDeviceEvalBatchSize) {
                try (var _ = Memory.scope()) {
                    SFTBatch b = collator.collate(all.subList(from,
                            Math.min(all.size(), from + config.perDeviceEvalBatchSize)));
                    sum += CausalLMLoss.sum(model, b).item();
                    items += b.lossTokens();
                }
            }
        }
        return Map.of("eval_loss", sum / Math.max(items, 1));
    }


    @Override
    protected List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        lines.add(String.format("sft: %d steps of %d × %d examples, %d warmup, lr %s (%s), output %s",
                schedule().totalSteps(), config.perDeviceTrainBatchSize, config.gradientAccumulationSteps,
                schedule().warmupSteps(), config.learningRate, config.lrSchedulerType, config.outputDir));
        return lines;
    }
}
