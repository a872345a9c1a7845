package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.optim.GradClip;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.nn.value.ValueModel;
import io.rlhf4j.trainers.checkpoint.Checkpoint;
import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.GRPOExample;
import io.rlhf4j.trainers.grpo.PromptSource;
import io.rlhf4j.trainers.loop.ExtraState;
import io.rlhf4j.trainers.loop.OptimizerFactory;
import io.rlhf4j.trainers.loop.Trainer;
import io.rlhf4j.trainers.loop.TrainerCallback;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Proximal policy optimisation with a value model, as TRL's PPOTrainer (trl/experimental/ppo; trl
 * 1.13 ships none). Each rollout: per_device_train_batch_size × gradient_accumulation_steps prompts
 * are sampled once each by the policy ({@link PPORolloutBuilder}: temperature, seeded from the
 * run's generator), scored, and turned into per-token KL-penalised rewards, GAE advantages and
 * returns ({@link PPOAdvantages}); then num_ppo_epochs passes over a fresh shuffle of it, each split
 * into num_mini_batches mini-batches of micro-batches of per_device_train_batch_size, take one
 * optimizer step per mini-batch on {@link PPOLoss} (each micro-batch's loss divided by the number
 * of micro-batches, as accelerate's accumulation).
 *
 * <p><b>Two optimizers.</b> TRL wraps policy and value model in one module with one AdamW; the
 * specification asks for separate optimizers, so the policy has the loop's own AdamW (scheduler,
 * max_grad_norm clipping over the policy's parameters) and the value model a second one with the
 * same hyper-parameters, its own scheduler and its own clipping, stepped in the same optimizer
 * step. With a shared backbone the value optimizer holds only the value head; the value loss's
 * gradient into the backbone is stepped by the policy's optimizer.
 *
 * <p><b>Steps.</b> One loop step is one optimizer step (one mini-batch), so max_steps and the
 * learning-rate schedule count mini-batches: num_ppo_epochs × num_mini_batches per rollout (TRL
 * steps its scheduler once per rollout). The KL coefficient is fixed, or adapted after each rollout
 * when target_kl is set ({@link KlController}). Checkpoints hold the value model, its optimizer and
 * scheduler and the KL coefficient; resuming is bitwise exact from checkpoints at rollout
 * boundaries (a checkpoint inside a rollout resumes with a fresh rollout).
 */
public final class PPOTrainer extends Trainer<PPOConfig, GRPOExample, PPOBatch, CausalLM> {

    static final String VALUE_MODEL = "value_model";
    static final String VALUE_OPTIMIZER = "value_optimizer";
    static final String KL_CONTROLLER = "kl_controller";

    private final ValueModel value;
    private final OptimizerFactory.Setup valueOptimizer;
    private final KlController kl;
    private final PPORolloutBuilder rollouts;
    private final PPOMetrics metrics = new PPOMetrics();
    private final List<String> description = new ArrayList<>();
    private final int stepsPerRollout;
    private PPORollout buffer;

    /**
     * @param reference the frozen reference policy (a copy of the starting policy)
     * @param value     the value model; with a shared backbone it must sit on {@code model}
     */
    public PPOTrainer(PPOConfig config, CausalLM model, CausalLM reference, ValueModel value, HfTokenizer tokenizer,
            DataSource<GRPOExample> prompts, ResponseScorer scorer) {
        super(config, model, new PromptSource(prompts, (long) config.numPpoEpochs * config.numMiniBatches));
        if (reference == null || reference == model) {
            throw new IllegalArgumentException("PPO needs a separate frozen reference model (a copy of the policy)");
        }
        if (value.sharesBackbone() && !(model instanceof PreTrainedCausalLM)) {
            throw new IllegalArgumentException("a shared value backbone needs a PreTrainedCausalLM policy");
        }
        this.value = value;
        this.stepsPerRollout = config.numPpoEpochs * config.numMiniBatches;
        this.valueOptimizer = OptimizerFactory.create(value, config, schedule());
        this.kl = new KlController(config.klCoef, config.targetKl, config.horizon);
        KlEstimators.Kind estimator = config.klEstimator.equals("k3") ? KlEstimators.Kind.K3 : KlEstimators.Kind.K1;
        this.rollouts = new PPORolloutBuilder(config, model, reference, value, tokenizer, scorer, estimator);
        reference.module().eval();
        addCallback(new TrainerCallback() {
            @Override
            public void onPreOptimizerStep(long step) {
                stepValueModel();
            }
        });
    }

    /** The value model being trained. */
    public ValueModel valueModel() {
        return value;
    }

    /** The current KL coefficient. */
    public double klCoef() {
        return kl.value();
    }


    /** Lines printed when the run starts, before the trainer's own. */
    public void describeAlso(List<String> lines) {
        description.addAll(lines);
    }

    private void stepValueModel() {
        List<Tensor> params = valueOptimizer.params();
        double norm = config.maxGradNorm > 0 ? GradClip.clipGradNorm(params, config.maxGradNorm)
                : GradClip.totalNorm(params);
        if (Double.isFinite(norm)) {
            valueOptimizer.optimizer().step();
            valueOptimizer.scheduler().step();
        }
        valueOptimizer.optimizer().zeroGrad();
    }

    @Override
    protected List<PPOBatch> nextWindow() {
        int k = (int) (globalStep() % stepsPerRollout);
        if (buffer == null || k == 0) {
            int prompts = config.perDeviceTrainBatchSize * config.gradientAccumulationSteps;
            value.train();
            buffer = rollouts.build(trainData().nextBatch(prompts), kl.value(), random().split(), metrics);
            kl.update(metrics.lastRolloutKl(), buffer.rows());
        }
        int epoch = k / config.numMiniBatches;
        int mini = k % config.numMiniBatches;
        int miniSize = Math.ceilDiv(buffer.rows(), config.numMiniBatches);
        int from = Math.min(buffer.rows(), mini * miniSize);
        int to = Math.min(buffer.rows(), from + miniSize);
        List<PPOBatch> window = new ArrayList<>();
        for (int s = from; s < to; s += config.perDeviceTrainBatchSize) {
            window.add(buffer.batch(epoch, s, Math.min(to, s + config.perDeviceTrainBatchSize)));
        }
        return window;
    }

    @Override
    protected PPOBatch prepare(List<GRPOExample> examples) {
        throw new UnsupportedOperationException("PPO builds its micro-batches from rollouts (nextWindow)");
    }

    /** One per micro-batch: each micro-batch's loss is a masked mean divided by the window's micro-batch count. */
    @Override
    protected long lossItems(PPOBatch batch) {
        return 1;
    }

    @Override
    protected long tokens(PPOBatch batch) {
        return batch.tokens();
    }

    @Override
    protected Tensor loss(PPOBatch b, double windowItems) {
        Tensor logits;
        Tensor values;
        if (value.sharesBackbone()) {
            PreTrainedCausalLM policy = (PreTrainedCausalLM) model;
            Tensor hidden = policy.lastHiddenState(b.inputIds(), b.attentionMask(), null);
            logits = policy.logitsOf(hidden);
            values = value.valuesOf(hidden);
        } else {
            logits = model.forward(b.inputIds(), b.attentionMask(), null);
            values = value.values(b.inputIds(), b.attentionMask());
        }
        int p = b.queryWidth();
        int c = b.responseWidth();
        Tensor scores = logits.narrow(1, p - 1, c).div(config.temperature + 1e-7);
        Tensor logp = F.logSoftmaxGather(scores, b.responseIds());
        Tensor entropy;
        if (config.entCoef != 0) {
            entropy = entropy(scores);
        } else {
            try (var _ = Grad.disabled()) {
                entropy = entropy(scores);
            }
        }
        PPOLoss.Result r = PPOLoss.apply(logp, values.narrow(1, p - 1, c), entropy, b.oldLogp(), b.advantages(),
                b.returns(), b.oldValues(), b.responseMask(), b.valueMask(),
                new PPOLoss.Params(config.cliprange, config.cliprangeValue, config.vfCoef, config.entCoef));
        metrics.microBatch(r.stats());
        return r.loss().div(windowItems);
    }

    /** Per-token entropy of softmax(scores): logsumexp(s) − Σ softmax(s)·s (TRL's logged entropy). */
    static Tensor entropy(Tensor scores) {
        int last = scores.rank() - 1;
        return scores.logsumexp(last, false).sub(scores.softmax(last).mul(scores).sum(last, false));
    }

    @Override
    protected Map<String, Double> drainMetrics() {
        return metrics.drain();
    }

    @Override
    protected ExtraState extraState() {
        return new ExtraState(Map.of(VALUE_MODEL, value.stateDict()),
                Map.of(VALUE_OPTIMIZER, valueOptimizer.optimizer().stateDict()),
                Map.of(VALUE_OPTIMIZER, valueOptimizer.scheduler().stateDict(), KL_CONTROLLER, kl.stateDict()));
    }

    @Override
    protected void restoreExtraState(Checkpoint c) {
        value.loadStateDict(c.models().get(VALUE_MODEL), true);
        valueOptimizer.optimizer().loadStateDict(c.optimizers().get(VALUE_OPTIMIZER));
        valueOptimizer.scheduler().loadStateDict(c.schedulers().get(VALUE_OPTIMIZER));
        kl.loadStateDict(c.schedulers().get(KL_CONTROLLER));
    }

    /** The policy (as the loop saves it; the loop adds the tokenizer files) and the value model under value_model/. */
    @Override
    protected void saveModel(Path outputDir) throws IOException {
        super.saveModel(outputDir);
        value.savePretrained(outputDir.resolve(VALUE_MODEL));
    }

    @Override
    protected List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        lines.add(String.format("ppo: %d optimizer steps; rollouts of %d prompts, %d epochs × %d mini-batches each; "
                + "response_length %d, kl_coef %s (%s%s), value model %s, lr %s, output %s", schedule().totalSteps(),
                config.perDeviceTrainBatchSize * config.gradientAccumulationSteps, config.numPpoEpochs,
                config.numMiniBatches, config.responseLength, config.klCoef, config.klEstimator,
                config.targetKl == null ? "" : ", adaptive to target " + config.targetKl,
                value.sharesBackbone() ? "on the policy's backbone" : "with its own backbone", config.learningRate,
                config.outputDir));
        return lines;
    }
}
