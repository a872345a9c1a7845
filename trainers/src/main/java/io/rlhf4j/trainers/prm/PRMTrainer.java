package io.rlhf4j.trainers.prm;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.ops.fused.Reduction;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.reward.ProcessRewardModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.PRMConfig;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.DatasetStats;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.data.PRMEncoder;
import io.rlhf4j.trainers.data.PRMExample;
import io.rlhf4j.trainers.data.RecordEncoder;
import io.rlhf4j.trainers.data.SFTBatch;
import io.rlhf4j.trainers.data.ShuffledStream;
import io.rlhf4j.trainers.loop.RunInputs;
import io.rlhf4j.trainers.loop.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The specification's run_process_reward_model_training: TRL's PRMTrainer (trl 1.13,
 * experimental) on the shared {@link Trainer} loop. Records are tokenized by {@link PRMEncoder};
 * the loss is token-level cross-entropy over the positions that carry a step label (the step
 * separators), as transformers' *ForTokenClassification computes it.
 *
 * <p>The loop's items are labelled steps: a micro-batch contributes its summed cross-entropy
 * divided by the labelled steps in the accumulation window, so the gradient is that of the mean
 * over the window's steps (with gradient_accumulation_steps 1 exactly TRL's per-batch mean;
 * transformers averages per-micro-batch means instead when accumulating). Logged: loss and the
 * step accuracy (TRL's compute_accuracy, here also on training batches); evaluation gives
 * eval_loss (mean over every labelled eval step) and eval_accuracy, with every step labelled
 * (TRL's is_eval). The final model is saved in transformers' *ForTokenClassification layout.
 */
public final class PRMTrainer extends Trainer<PRMConfig, PRMExample, SFTBatch, ProcessRewardModel> {

    private final Collator collator;
    private final List<PRMExample> eval;
    private final PRMMetrics metrics = new PRMMetrics();
    private final List<String> description = new ArrayList<>();

    /**
     * @param eval  held-out examples (tokenized with every step labelled), or null
     * @param padId the id padding positions get
     */
    public PRMTrainer(PRMConfig config, ProcessRewardModel model, DataSource<PRMExample> train,
            List<PRMExample> eval, long padId) {
        super(config, model, train);
        this.collator = new Collator(padId);
        this.eval = eval == null ? null : List.copyOf(eval);
    }

    /**
     * The run {@code config} describes: the tokenizer of model_name_or_path, train_file (in memory,
     * or streamed when streaming is set) and eval_file as stepwise records; the model loads as saved
     * from a *ForTokenClassification folder, or gets a new head (num_labels 2, initialised from
     * {@code Generator.seed(seed).fork("prm-head")}) on any other checkpoint's backbone.
     */
    public static PRMTrainer fromConfig(PRMConfig config) throws IOException {
        Path modelDir = RunInputs.requirePath("PRM", "model_name_or_path", config.modelNameOrPath);
        Path trainFile = RunInputs.requirePath("PRM", "train_file", config.trainFile);
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        PRMEncoder trainEncoder = new PRMEncoder(tokenizer, config.stepSeparator, config.maxLength,
                config.maxCompletionLength, config.trainOnLastStepOnly);
        List<String> lines = new ArrayList<>();
        DataSource<PRMExample> train;
        if (config.streaming) {
            train = new ShuffledStream<>(trainFile, trainEncoder, "PRM", "text", config.skipBadRecords,
                    config.shuffleBufferSize, config.seed);
            lines.add("train: streaming " + trainFile + " (shuffle buffer " + config.shuffleBufferSize + ")");
        } else {
            DatasetStats stats = new DatasetStats();
            train = new InMemorySource<>(RecordEncoder.readAll(trainFile, trainEncoder, "text", config.skipBadRecords,
                    stats, "PRM"), config.seed, true);
            lines.add("train: " + trainFile + ": " + stats);
        }
        List<PRMExample> eval = null;
        if (config.evalFile != null) {
            Path evalFile = RunInputs.requirePath("PRM", "eval_file", config.evalFile);
            PRMEncoder evalEncoder = new PRMEncoder(tokenizer, config.stepSeparator, config.maxLength,
                    config.maxCompletionLength, false);
            DatasetStats stats = new DatasetStats();
            eval = RecordEncoder.readAll(evalFile, evalEncoder, "text", config.skipBadRecords, stats, "PRM");
            lines.add("eval: " + evalFile + ": " + stats);
        }
        PRMTrainer t = new PRMTrainer(config, newModel(modelDir, config.seed), train, eval,
                RunInputs.padId(tokenizer.specialTokens(), modelDir));
        t.copyTokenizerFrom(modelDir);
        t.description.addAll(lines);
        return t;
    }

    private static ProcessRewardModel newModel(Path modelDir, long seed) throws IOException {
        boolean tokenClassifier = false;
        for (var a : ModelConfig.read(modelDir).raw().path("architectures")) {
            tokenClassifier |= a.asText().endsWith("ForTokenClassification");
        }
        return tokenClassifier ? ProcessRewardModel.fromPretrained(modelDir)
                : ProcessRewardModel.fromBase(modelDir, 2, Generator.seed(seed).fork("prm-head"));
    }

    @Override
    protected SFTBatch prepare(List<PRMExample> examples) {
        return collator.collate(examples.stream().map(PRMExample::padded).toList());
    }

    @Override
    protected long lossItems(SFTBatch batch) {
        long n = 0;
        for (long l : batch.labels().toLongArray()) {
            n += l != F.IGNORE_INDEX ? 1 : 0;
        }
        return n;
    }

    @Override
    protected long tokens(SFTBatch batch) {
        return batch.tokens();
    }

    @Override
    protected Tensor loss(SFTBatch batch, double windowItems) {
        return summedLoss(batch, metrics).div(windowItems);
    }

    /** The batch's cross-entropy summed over labelled positions (differentiable); accuracy into {@code into}. */
    private Tensor summedLoss(SFTBatch batch, PRMMetrics into) {
        Tensor logits = model.logits(batch.inputIds(), batch.attentionMask());
        int rows = batch.batchSize() * batch.sequenceLength();
        Tensor flat = logits.reshape(rows, model.numLabels());
        long[] labels = batch.labels().toLongArray();
        into.add(flat.toDoubleArray(), labels, model.numLabels());
        return F.crossEntropy(flat, Tensor.ofLongs(labels, rows), F.IGNORE_INDEX, Reduction.SUM, 0);
    }

    @Override
    protected Map<String, Double> drainMetrics() {
        return metrics.drain("");
    }

    @Override
    protected boolean hasEvaluation() {
        return eval != null;
    }

    @Override
    protected Map<String, Double> evaluate() {
        PRMMetrics m = new PRMMetrics();
        double sum = 0;
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < eval.size(); from += config.perDeviceEvalBatchSize) {
                try (var _ = Memory.scope()) {
                    List<PRMExample> part = eval.subList(from, Math.min(eval.size(), from + config.perDeviceEvalBatchSize));
                    sum += summedLoss(prepare(part), m).item();
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        long steps = m.steps();
        out.put("eval_loss", steps == 0 ? Double.NaN : sum / steps);
        out.putAll(m.drain("eval_"));
        return out;
    }


    @Override
    protected List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        lines.add(String.format("prm: %d labels, separator \"%s\"%s, %d parameters; %d steps of %d × %d records,"
                + " %d warmup, lr %s (%s), seed %d, output %s", model.numLabels(),
                config.stepSeparator.replace("\n", "\\n"), config.trainOnLastStepOnly ? " (last step only)" : "",
                model.parameterCount(), schedule().totalSteps(), config.perDeviceTrainBatchSize,
                config.gradientAccumulationSteps, schedule().warmupSteps(), config.learningRate,
                config.lrSchedulerType, config.seed, config.outputDir));
        return lines;
    }
}
