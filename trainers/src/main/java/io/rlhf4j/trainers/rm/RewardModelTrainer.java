package io.rlhf4j.trainers.rm;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.reward.RewardLoss;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.loop.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The specification's RewardModelTrainer for one reward model, on the shared {@link Trainer}
 * loop: each micro-batch's chosen and rejected sequences are scored in one forward (2B rows),
 * and {@link RewardLoss} gives the Bradley–Terry loss with the records' margins, label smoothing,
 * L2 over every parameter and TRL's reward centring. TRL's RewardTrainer metrics are logged
 * ({@link RewardMetrics}); evaluation reports eval_loss and the same metrics on eval_file.
 *
 * <p>The loop's items are pairs: a micro-batch of B pairs contributes (its mean loss) · B / (pairs
 * in the window), which sums the Bradley–Terry and centring terms over the window's pairs and
 * counts the L2 term (the same for every micro-batch of a step) exactly once per step.
 *
 * <p>Ensembles are {@link RewardEnsembleTrainer}: one of these per member.
 */
public final class RewardModelTrainer extends Trainer<RewardConfig, RewardPair, RewardBatch, RewardModel> {

    private final RewardLoss loss;
    private final Collator collator;
    private final List<RewardPair> eval;
    private final RewardMetrics metrics = new RewardMetrics();
    private final List<String> description = new ArrayList<>();

    /**
     * @param eval  held-out pairs, or null
     * @param padId the id padding positions get
     */
    public RewardModelTrainer(RewardConfig config, RewardModel model, DataSource<RewardPair> train,
            List<RewardPair> eval, long padId) {
        super(config, model, train);
        this.loss = new RewardLoss(config.labelSmoothing, config.l2Coefficient,
                config.centerRewardsCoefficient == null ? 0 : config.centerRewardsCoefficient);
        this.collator = new Collator(padId);
        this.eval = eval == null ? null : List.copyOf(eval);
    }

    /** The trainer of a single reward model that {@code config} describes (ensemble_size is not read). */
    public static RewardModelTrainer fromConfig(RewardConfig config) throws IOException {
        return forMember(config, RewardInputs.load(config));
    }

    /** A trainer for {@code config} (its own seed and output_dir) on data already read. */
    static RewardModelTrainer forMember(RewardConfig config, RewardInputs in) throws IOException {
        RewardModelTrainer t = new RewardModelTrainer(config, in.newModel(config.seed), in.trainSource(config.seed),
                in.eval(), in.padId());
        t.copyTokenizerFrom(in.modelDir());
        t.description.addAll(in.lines());
        return t;
    }

    @Override
    protected RewardBatch prepare(List<RewardPair> examples) {
        return RewardBatch.collate(examples, collator);
    }

    @Override
    protected long lossItems(RewardBatch batch) {
        return batch.pairs();
    }

    @Override
    protected long tokens(RewardBatch batch) {
        return batch.rows().tokens();
    }

    @Override
    protected Tensor loss(RewardBatch batch, double windowItems) {
        return batchLoss(batch, metrics).mul(batch.pairs() / windowItems);
    }

    /** The batch's mean loss (differentiable), its rewards added to {@code into}. */
    private Tensor batchLoss(RewardBatch batch, RewardMetrics into) {
        Tensor r = model.rewards(batch.rows().inputIds(), batch.rows().attentionMask());
        int b = batch.pairs();
        Tensor chosen = r.narrow(0, 0, b);
        Tensor rejected = r.narrow(0, b, b);
        List<Parameter> l2 = config.l2Coefficient > 0 ? model.parameters() : List.of();
        RewardLoss.Output out = loss.compute(chosen, rejected, batch.margin(), l2);
        into.add(chosen, rejected);
        return out.loss();
    }

    @Override
    protected Map<String, Double> drainMetrics() {
        return metrics.drain("");
    }

    @Override
    protected boolean hasEvaluation() {
        return eval != null;
    }

    /** eval_loss (the mean over eval pairs) and TRL's metrics with the eval_ prefix. */
    @Override
    protected Map<String, Double> evaluate() {
        RewardMetrics m = new RewardMetrics();
        double sum = 0;
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < eval.size(); from += config.perDeviceEvalBatchSize) {
                try (var _ = Memory.scope()) {
                    List<RewardPair> pairs = eval.subList(from, Math.min(eval.size(), from + config.perDeviceEvalBatchSize));
                    sum += batchLoss(prepare(pairs), m).item() * pairs.size();
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", sum / eval.size());
        out.putAll(m.drain("eval_"));
        return out;
    }

    @Override
    protected List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        var rc = model.rewardConfig();
        lines.add(String.format("rm: %s head, %s pooling, %d parameters; %d steps of %d × %d pairs, %d warmup, lr %s"
                + " (%s), seed %d, output %s", rc.headType().jsonName(), rc.pooling().jsonName(),
                model.parameterCount(), schedule().totalSteps(), config.perDeviceTrainBatchSize,
                config.gradientAccumulationSteps, schedule().warmupSteps(), config.learningRate,
                config.lrSchedulerType, config.seed, config.outputDir));
        return lines;
    }
}
