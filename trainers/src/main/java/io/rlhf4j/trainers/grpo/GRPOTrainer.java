package io.rlhf4j.trainers.grpo;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.GRPOExample;
import io.rlhf4j.trainers.loop.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Group relative policy optimisation with online generation, as trl 1.13's GRPOTrainer with
 * steps_per_generation = gradient_accumulation_steps. Each accumulation window of
 * per_device_train_batch_size × gradient_accumulation_steps completions is one generation batch:
 * its window / num_generations prompts are each sampled num_generations times (temperature, top_p,
 * top_k; the sampling stream is split from the run's checkpointed generator, so a run is
 * reproducible), decoded and scored by the reward functions; {@link GroupRewards} turns the
 * weighted rewards into group-relative advantages. The loss is {@link GRPOLoss} on the policy's
 * per-token log-probabilities of logits / temperature (as TRL), with the reference model's
 * log-probabilities when β ≠ 0 (TRL skips the reference at β = 0) and the generation-time ("old")
 * log-probabilities when num_iterations μ &gt; 1; with μ = 1 the ratio is exactly 1, as TRL uses
 * the detached current log-probabilities. The same generation batch serves μ consecutive optimizer
 * steps. A checkpoint taken between those steps does not hold the batch: resuming from it
 * generates a fresh one (bitwise resume holds for checkpoints at multiples of μ).
 */
public final class GRPOTrainer extends Trainer<GRPOConfig, GRPOExample, RolloutBatch, CausalLM> {

    private final CausalLM reference;
    private final HfTokenizer tokenizer;
    private final List<RewardFunction> rewards;
    private final double[] weights;
    private final long padId;
    private final GenerationConfig generation;
    private final GRPOLoss.Params params;
    private final GRPOMetrics metrics = new GRPOMetrics();
    private final List<String> description = new ArrayList<>();
    private List<Rollout> buffer;

    /**
     * @param reference the frozen reference policy, or null when beta = 0
     * @param rewards   the reward functions, weighed by reward_weights
     */
    public GRPOTrainer(GRPOConfig config, CausalLM model, CausalLM reference, HfTokenizer tokenizer,
            DataSource<GRPOExample> prompts, List<RewardFunction> rewards) {
        super(config, model, new PromptSource(prompts, (long) config.numGenerations * config.numIterations));
        if (config.beta != 0 && reference == null) {
            throw new IllegalArgumentException("beta = " + config.beta + " needs a reference model");
        }
        if (rewards.isEmpty()) {
            throw new IllegalArgumentException("GRPO needs at least one reward function");
        }
        if (config.rewardWeights != null && config.rewardWeights.size() != rewards.size()) {
            throw new IllegalArgumentException("reward_weights has " + config.rewardWeights.size() + " weights for "
                    + rewards.size() + " reward functions");
        }
        this.reference = config.beta != 0 ? reference : null;
        if (this.reference != null) {
            this.reference.module().eval();
        }
        this.tokenizer = tokenizer;
        this.rewards = List.copyOf(rewards);
        this.weights = new double[rewards.size()];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = config.rewardWeights == null ? 1.0 : config.rewardWeights.get(k);
        }
        this.padId = padId(tokenizer);
        List<Long> eos = tokenizer.specialTokens().eosIds();
        GenerationConfig g = GenerationConfig.forModel(model.config());
        if (g.eosTokenIds().isEmpty() && !eos.isEmpty()) {
            g = g.withEosTokenIds(eos);
        }
        this.generation = g.withDoSample(true).withTemperature(config.temperature).withTopK(config.topK)
                .withTopP(config.topP).withMaxNewTokens(config.maxCompletionLength).withPadTokenId(padId);
        double high = config.epsilonHigh == null ? config.epsilon : config.epsilonHigh;
        this.params = new GRPOLoss.Params(config.epsilon, high, config.beta);
    }

    static long padId(HfTokenizer tokenizer) {
        long pad = tokenizer.specialTokens().padId();
        long eos = tokenizer.specialTokens().eosId();
        if (pad < 0 && eos < 0) {
            throw new IllegalArgumentException("the tokenizer has neither a pad nor an eos token to pad with");
        }
        return pad >= 0 ? pad : eos;
    }

    /** Lines printed when the run starts, before the trainer's own. */
    void describeAlso(List<String> lines) {
        description.addAll(lines);
    }

    @Override
    protected List<RolloutBatch> nextWindow() {
        if (buffer == null || globalStep() % config.numIterations == 0) {
            int completions = config.perDeviceTrainBatchSize * config.gradientAccumulationSteps;
            buffer = generate(trainData().nextBatch(completions / config.numGenerations));
        }
        return microBatches(buffer);
    }

    @Override
    protected RolloutBatch prepare(List<GRPOExample> examples) {
        throw new UnsupportedOperationException("GRPO builds its micro-batches from generation batches (nextWindow)");
    }

    @Override
    protected long lossItems(RolloutBatch batch) {
        return batch.lossTokens();
    }

    @Override
    protected long tokens(RolloutBatch batch) {
        return batch.tokens();
    }

    @Override
    protected Tensor loss(RolloutBatch batch, double windowItems) {
        Tensor logp = logps(model, batch);
        Tensor w = GRPOLoss.weights(config.lossType, batch.completionMask(), batch.microBatches(), windowItems,
                config.maxCompletionLength);
        GRPOLoss.Result r = GRPOLoss.apply(logp, batch.oldLogp(), batch.refLogp(), batch.advantages(),
                batch.completionMask(), w, params);
        metrics.loss(r.stats(), config.beta != 0);
        return r.loss();
    }

    @Override
    protected Map<String, Double> drainMetrics() {
        return metrics.drain();
    }

    @Override
    protected List<String> describe() {
        List<String> lines = new ArrayList<>(description);
        lines.add(String.format("grpo: %d steps; %d prompts × %d generations per step, %d micro-batches of %d; "
                + "loss %s, beta %s, num_iterations %d, lr %s, output %s", schedule().totalSteps(),
                config.perDeviceTrainBatchSize * config.gradientAccumulationSteps / config.numGenerations,
                config.numGenerations, config.gradientAccumulationSteps, config.perDeviceTrainBatchSize,
                config.lossType, config.beta, config.numIterations, config.learningRate, config.outputDir));
        return lines;
    }

    /** Per completion token, log softmax(logits / temperature)[token], [B, C] (TRL's per_token_logps). */
    private Tensor logps(CausalLM m, RolloutBatch b) {
        Tensor logits = m.forward(b.inputIds(), b.attentionMask(), null);
        Tensor scores = logits.narrow(1, b.promptWidth() - 1, b.completionWidth());
        if (config.temperature != 1.0) {
            scores = scores.div(config.temperature);
        }
        return F.logSoftmaxGather(scores, b.inputIds().narrow(1, b.promptWidth(), b.completionWidth()));
    }

    private List<RolloutBatch> microBatches(List<Rollout> rows) {
        int size = config.perDeviceTrainBatchSize;
        int n = Math.ceilDiv(rows.size(), size);
        List<RolloutBatch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(RolloutBatch.of(rows.subList(i * size, Math.min(rows.size(), (i + 1) * size)), padId, n));
        }
        return out;
    }

    /** Samples, decodes, scores and (when needed) takes old and reference log-probabilities. */
    private List<Rollout> generate(List<GRPOExample> examples) {
        int groups = config.numGenerations;
        List<long[]> promptIds = new ArrayList<>();
        List<String> promptTexts = new ArrayList<>();
        List<Map<String, String>> columns = new ArrayList<>();
        for (GRPOExample e : examples) {
            for (int j = 0; j < groups; j++) {
                promptIds.add(e.promptIds());
                promptTexts.add(e.prompt());
                columns.add(e.columns());
            }
        }
        GenerationResult result = new PolicyModel(model).generate(PromptBatch.leftPad(promptIds, padId), generation,
                random().split(), null, TokenStreamer.NONE);
        int rows = promptIds.size();
        List<String> completions = new ArrayList<>(rows);
        int[] lengths = new int[rows];
        boolean[] truncated = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            long[] ids = result.generated().get(i);
            completions.add(tokenizer.decode(ids, true));
            lengths[i] = ids.length;
            truncated[i] = result.finishReasons().get(i) == FinishReason.LENGTH;
        }
        double[][] perFunction = new double[rows][rewards.size()];
        for (int k = 0; k < rewards.size(); k++) {
            double[] r = rewards.get(k).scoreBatch(promptTexts, completions, columns);
            for (int i = 0; i < rows; i++) {
                perFunction[i][k] = r[i];
            }
        }
        GroupRewards g = GroupRewards.compute(perFunction, weights, groups, config.scaleRewards);
        metrics.generation(rewards, perFunction, g, lengths, truncated);
        List<Rollout> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            boolean inLoss = !(config.maskTruncatedCompletions && truncated[i]);
            out.add(new Rollout(promptIds.get(i), result.generated().get(i), inLoss, g.advantages()[i], null, null));
        }
        return withLogps(out);
    }

    /** Adds generation-time log-probabilities (μ &gt; 1) and reference ones (β ≠ 0), per micro-batch layout. */
    private List<Rollout> withLogps(List<Rollout> rows) {
        boolean old = config.numIterations > 1;
        if (!old && reference == null) {
            return rows;
        }
        List<Rollout> out = new ArrayList<>(rows.size());
        int size = config.perDeviceTrainBatchSize;
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < rows.size(); from += size) {
                List<Rollout> part = rows.subList(from, Math.min(rows.size(), from + size));
                RolloutBatch b = RolloutBatch.of(part, padId, 1);
                float[] o = old ? logps(model, b).toFloatArray() : null;
                float[] r = reference != null ? logps(reference, b).toFloatArray() : null;
                for (int i = 0; i < part.size(); i++) {
                    out.add(part.get(i).withLogps(row(o, i, b.completionWidth(), part.get(i)),
                            row(r, i, b.completionWidth(), part.get(i))));
                }
            }
        }
        return out;
    }

    private static float[] row(float[] all, int i, int width, Rollout r) {
        if (all == null) {
            return null;
        }
        float[] out = new float[r.completionIds().length];
        System.arraycopy(all, i * width, out, 0, out.length);
        return out;
    }
}
