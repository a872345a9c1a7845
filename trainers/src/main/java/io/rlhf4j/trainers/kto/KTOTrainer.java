package io.rlhf4j.trainers.kto;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.checkpoint.Checkpoint;
import io.rlhf4j.trainers.config.KTOConfig;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.data.KTOBatch;
import io.rlhf4j.trainers.data.KTODataset;
import io.rlhf4j.trainers.data.KTOEncoder;
import io.rlhf4j.trainers.data.KTOExample;
import io.rlhf4j.trainers.data.StreamingKTODataset;
import io.rlhf4j.trainers.loop.ExtraState;
import io.rlhf4j.trainers.loop.RunInputs;
import io.rlhf4j.trainers.loop.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kahneman–Tversky optimization (TRL 1.13's KTOTrainer) on the shared loop: unpaired examples
 * labelled desirable or undesirable, the policy's summed completion log-probs against a frozen
 * reference's ({@link KTOLoss}), and the KL reference point z0 estimated from the batch's
 * mismatched prompt/completion pairs ({@link KTOBatch}) under both models, without gradient
 * ({@link KLReference}: per batch as TRL, or the specification's EMA). The reference is a second
 * model in evaluation mode, run with autograd off: loaded from ref_model, else from
 * model_name_or_path (with use_peft exactly the base model, as DPO's). The loop's items are
 * examples: the step loss is the mean of the window's per-example losses (TRL's losses.nanmean()).
 *
 * <p>Unlike TRL, which precomputes the KL completions over a sequentially sampled dataset, the
 * rotation happens on each collated (shuffled) micro-batch: the KL completions are still the
 * batch's own, as TRL intends.
 */
public final class KTOTrainer extends Trainer<KTOConfig, KTOExample, KTOBatch, CausalLM> {

    /** The checkpoint name of the KL reference point's state (see {@link KLReference}). */
    static final String KL_REFERENCE = "kl_reference";

    private final CausalLM reference;
    private final KTOLoss loss;
    private final KLReference klReference;
    private final Collator collator;
    private final List<KTOExample> eval;
    private final KTOMetrics metrics = new KTOMetrics();
    private final List<String> description = new ArrayList<>();

    /**
     * @param reference the frozen reference model
     * @param eval      held-out examples, or null
     * @param padId     the id padding positions get
     */
    public KTOTrainer(KTOConfig config, CausalLM model, CausalLM reference, DataSource<KTOExample> train,
            List<KTOExample> eval, long padId) {
        super(config, model, train);
        if (reference == null) {
            throw new IllegalArgumentException("KTO needs a reference model");
        }
        this.reference = reference;
        this.reference.module().eval();
        this.loss = KTOLoss.of(config);
        this.klReference = KLReference.of(config);
        this.collator = new Collator(padId);
        this.eval = eval == null ? null : List.copyOf(eval);
    }

    /**
     * The trainer a config describes: the tokenizer of model_name_or_path, train_file (streamed when
     * streaming is set) and eval_file read as {@code {prompt, completion|response, label}} records.
     */
    public static KTOTrainer fromConfig(KTOConfig config) throws IOException {
        Path modelDir = RunInputs.requirePath("KTO", "model_name_or_path", config.modelNameOrPath);
        Path trainFile = RunInputs.requirePath("KTO", "train_file", config.trainFile);
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        KTOEncoder encoder = new KTOEncoder(tokenizer, config.maxLength, config.maxPromptLength,
                config.truncationMode);
        List<String> lines = new ArrayList<>();
        DataSource<KTOExample> train;
        if (config.streaming) {
            train = new StreamingKTODataset(trainFile, encoder, config.skipBadRecords, config.shuffleBufferSize,
                    config.seed);
            lines.add("train: streaming " + trainFile + " (shuffle buffer " + config.shuffleBufferSize + ")");
        } else {
            KTODataset data = KTODataset.load(trainFile, encoder, config.skipBadRecords);
            train = new InMemorySource<>(data.examples(), config.seed, true);
            lines.add("train: " + trainFile + ": " + data.stats() + ", " + data.desirable() + " desirable, "
                    + (data.size() - data.desirable()) + " undesirable");
        }
        List<KTOExample> eval = null;
        if (config.evalFile != null) {
            Path evalFile = RunInputs.requirePath("KTO", "eval_file", config.evalFile);
            KTODataset data = KTODataset.load(evalFile, encoder, config.skipBadRecords);
            eval = data.examples();
            lines.add("eval: " + evalFile + ": " + data.stats());
        }
        Path refDir = config.refModel == null ? modelDir : RunInputs.requirePath("KTO", "ref_model", config.refModel);
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        CausalLM reference = AutoModelForCausalLM.fromPretrained(refDir);
        lines.add("reference: " + refDir + (config.usePeft && config.refModel == null
                ? " (the base model: adapters are trained on the policy only)" : "") + ", frozen");
        lines.add("KL reference point: " + (!KTOLoss.of(config).usesKl() ? "none (" + config.lossType + ")"
                : config.klEmaDecay == null ? "per batch (TRL)"
                : "EMA, decay " + config.klEmaDecay + " after " + Math.max(config.klWarmupSteps, 1)
                        + " warmup batches"));
        KTOTrainer t = new KTOTrainer(config, model, reference, train, eval,
                RunInputs.padId(tokenizer.specialTokens(), modelDir));
        t.copyTokenizerFrom(modelDir);
        t.description.addAll(lines);
        return t;
    }

    /** The loss of a batch; training batches update the KL reference point. */
    KTOLosses compute(KTOBatch batch, boolean training) {
        Tensor logps = new PolicyModel(model).getLogProbs(batch.inputIds(), batch.attentionMask(),
                batch.promptLengths()).sum();
        Tensor refLogps = new PolicyModel(reference).getLogProbsNoGrad(batch.inputIds(), batch.attentionMask(),
                batch.promptLengths()).sum();
        double z0 = 0;
        if (loss.usesKl()) {
            Tensor kl = new PolicyModel(model).getLogProbsNoGrad(batch.klInputIds(), batch.klAttentionMask(),
                    batch.promptLengths()).sum();
            Tensor refKl = new PolicyModel(reference).getLogProbsNoGrad(batch.klInputIds(), batch.klAttentionMask(),
                    batch.promptLengths()).sum();
            double estimate = KTOLoss.batchKl(kl, refKl);
            z0 = training ? klReference.update(estimate) : Math.max(estimate, 0);
        }
        return loss.compute(logps, refLogps, batch.desirable(), z0);
    }

    @Override
    protected KTOBatch prepare(List<KTOExample> examples) {
        return KTOBatch.collate(examples, collator, loss.usesKl(), config.maxLength);
    }

    @Override
    protected long lossItems(KTOBatch batch) {
        return batch.size();
    }

    @Override
    protected long tokens(KTOBatch batch) {
        return batch.tokens();
    }

    @Override
    protected Tensor loss(KTOBatch batch, double windowItems) {
        KTOLosses l = compute(batch, true);
        metrics.add(l);
        return l.perExample().sum().div(windowItems);
    }

    @Override
    protected Map<String, Double> drainMetrics() {
        return metrics.drain("");
    }

    @Override
    protected ExtraState extraState() {
        return new ExtraState(Map.of(), Map.of(), Map.of(KL_REFERENCE, klReference.state()));
    }

    @Override
    protected void restoreExtraState(Checkpoint checkpoint) {
        klReference.load(checkpoint.schedulers().getOrDefault(KL_REFERENCE, Map.of()));
    }

    @Override
    protected boolean hasEvaluation() {
        return eval != null;
    }

    @Override
    protected Map<String, Double> evaluate() {
        KTOMetrics m = new KTOMetrics();
        double sum = 0;
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < eval.size(); from += config.perDeviceEvalBatchSize) {
                try (var _ = Memory.scope()) {
                    KTOLosses l = compute(prepare(eval.subList(from,
                            Math.min(eval.size(), from + config.perDeviceEvalBatchSize))), false);
                    sum += l.perExample().sum().item();
                    m.add(l);
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", sum / Math.max(eval.size(), 1));
        out.putAll(m.drain("eval_"));
        return out;
    }


    @Override
    protected List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        lines.add(String.format("kto: %d steps of %d × %d examples, %d warmup, lr %s (%s), output %s",
                schedule().totalSteps(), config.perDeviceTrainBatchSize, config.gradientAccumulationSteps,
                schedule().warmupSteps(), config.learningRate, config.lrSchedulerType, config.outputDir));
        return lines;
    }
}
