package io.rlhf4j.trainers.preference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.LogProbs;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.PreferenceBatch;
import io.rlhf4j.trainers.data.PreferenceExample;
import io.rlhf4j.trainers.loop.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What DPO and SimPO share on the {@link Trainer} loop: pairs collated into one 2B-row batch
 * (chosen then rejected, one forward per model), response log-probs through
 * {@link PolicyModel#getLogProbs} (fused log-softmax-gather), a per-pair loss whose window mean
 * is the step loss (the loop's items are pairs), TRL's rewards/… and logps/… metrics, and
 * evaluation on held-out pairs (eval_loss and eval_rewards/…).
 */
public abstract class PreferenceTrainer<C extends BaseConfig> extends Trainer<C, PreferenceExample, PreferenceBatch, CausalLM> {

    private final Collator collator;
    private final List<PreferenceExample> eval;
    private final PreferenceMetrics metrics = new PreferenceMetrics();
    private final List<String> description = new ArrayList<>();

    /**
     * @param eval  held-out pairs, or null
     * @param padId the id padding positions get
     */
    protected PreferenceTrainer(C config, CausalLM model, DataSource<PreferenceExample> train,
            List<PreferenceExample> eval, long padId) {
        super(config, model, train);
        this.collator = new Collator(padId);
        this.eval = eval == null ? null : List.copyOf(eval);
    }

    /** The loss of a batch's pairs (differentiable w.r.t. the policy). */
    protected abstract PairLoss pairLoss(PreferenceBatch batch);

    /** Response log-probs of every row of {@code batch} under {@code model}. */
    protected static LogProbs logProbs(CausalLM model, PreferenceBatch batch) {
        return new PolicyModel(model).getLogProbs(batch.inputIds(), batch.attentionMask(), batch.promptLengths());
    }

    /** Rows 0 … B−1 (chosen) of a [2B] tensor. */
    protected static Tensor chosen(Tensor rows) {
        return rows.narrow(0, 0, rows.shape(0) / 2);
    }

    /** Rows B … 2B−1 (rejected) of a [2B] tensor. */
    protected static Tensor rejected(Tensor rows) {
        int b = rows.shape(0) / 2;
        return rows.narrow(0, b, b);
    }

    /** Where the tokenizer files copied next to the saved model come from, and lines printed at the start. */
    protected final void describeRun(Path tokenizerSource, List<String> lines) {
        copyTokenizerFrom(tokenizerSource);
        description.addAll(lines);
    }

    @Override
    protected final PreferenceBatch prepare(List<PreferenceExample> examples) {
        return PreferenceBatch.collate(examples, collator);
    }

    @Override
    protected final long lossItems(PreferenceBatch batch) {
        return batch.pairs();
    }

    @Override
    protected final long tokens(PreferenceBatch batch) {
        return batch.tokens();
    }

    @Override
    protected final Tensor loss(PreferenceBatch batch, double windowItems) {
        PairLoss l = pairLoss(batch);
        metrics.add(l);
        return l.perPair().sum().div(windowItems);
    }

    @Override
    protected final Map<String, Double> drainMetrics() {
        return metrics.drain("");
    }

    @Override
    protected final boolean hasEvaluation() {
        return eval != null;
    }

    @Override
    protected final Map<String, Double> evaluate() {
        PreferenceMetrics m = new PreferenceMetrics();
        double sum = 0;
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < eval.size(); from += config.perDeviceEvalBatchSize) {
                try (var _ = Memory.scope()) {
                    PairLoss l = pairLoss(prepare(eval.subList(from,
                            Math.min(eval.size(), from + config.perDeviceEvalBatchSize))));
                    sum += l.perPair().sum().item();
                    m.add(l);
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", sum / Math.max(m.pairs(), 1));
        out.putAll(m.drain("eval_"));
        return out;
    }


    @Override
    protected final List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        lines.add(String.format("%s: %d steps of %d × %d pairs, %d warmup, lr %s (%s), output %s", config.stage(),
                schedule().totalSteps(), config.perDeviceTrainBatchSize, config.gradientAccumulationSteps,
                schedule().warmupSteps(), config.learningRate, config.lrSchedulerType, config.outputDir));
        return lines;
    }
}
