package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.nn.value.ValueModel;
import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.data.GRPOExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Collects one PPO rollout as TRL's PPOTrainer.train() does before its PPO epochs: sample one
 * response per prompt (temperature + 1e-7, no top-k/top-p; EOS stops a response only with
 * stop_token: eos), lay out query_responses (left-padded queries of width P, responses
 * right-padded with pad to the longest, C), take the policy's and the reference's log-probabilities
 * of logits / (temperature + 1e-7) and the value model's values at positions P − 1 … P + C − 2,
 * score the responses, and hand everything to {@link PPOAdvantages}. sequence_lengths is the index
 * before the first pad of each response (−1 when it starts with pad), as TRL's
 * {@code first_true_indices(response == pad) − 1}. The forward passes run per_device_train_batch_size
 * rows at a time, without gradients.
 */
final class PPORolloutBuilder {

    private final PPOConfig config;
    private final CausalLM policy;
    private final CausalLM reference;
    private final ValueModel value;
    private final HfTokenizer tokenizer;
    private final ResponseScorer scorer;
    private final KlEstimators.Kind estimator;
    private final GenerationConfig generation;
    private final long padId;
    private final long eosId;

    PPORolloutBuilder(PPOConfig config, CausalLM policy, CausalLM reference, ValueModel value, HfTokenizer tokenizer,
            ResponseScorer scorer, KlEstimators.Kind estimator) {
        this.config = config;
        this.policy = policy;
        this.reference = reference;
        this.value = value;
        this.tokenizer = tokenizer;
        this.scorer = scorer;
        this.estimator = estimator;
        long pad = tokenizer.specialTokens().padId();
        this.eosId = tokenizer.specialTokens().eosId();
        if (pad < 0) {
            throw new IllegalArgumentException("PPO needs a tokenizer with a pad token (TRL's layout marks the end "
                    + "of a response by its first pad; with pad = EOS the EOS itself ends it, as in TRL)");
        }
        this.padId = pad;
        List<Long> stop = config.stopToken == null || eosId < 0 ? List.of() : List.of(eosId);
        this.generation = GenerationConfig.forModel(policy.config()).withEosTokenIds(stop).withDoSample(true)
                .withTemperature(config.temperature + 1e-7).withTopK(0).withTopP(1.0)
                .withMaxNewTokens(config.responseLength).withPadTokenId(padId);
    }

    PPORollout build(List<GRPOExample> examples, double klCoef, Generator random, PPOMetrics metrics) {
        int rows = examples.size();
        List<long[]> prompts = new ArrayList<>(rows);
        for (GRPOExample e : examples) {
            prompts.add(e.promptIds());
        }
        GenerationResult result;
        try (var _ = Grad.disabled()) {
            result = new PolicyModel(policy).generate(PromptBatch.leftPad(prompts, padId), generation, random.split(),
                    null, TokenStreamer.NONE);
        }
        int p = 0;
        int c = 1;
        for (int i = 0; i < rows; i++) {
            p = Math.max(p, prompts.get(i).length);
            c = Math.max(c, result.generated().get(i).length);
        }
        int w = p + c;
        long[] ids = new long[rows * w];
        Arrays.fill(ids, padId);
        int[] seqLen = new int[rows];
        boolean[] containsEos = new boolean[rows];
        long eosTokens = 0;
        List<String> responses = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            long[] prompt = prompts.get(i);
            System.arraycopy(prompt, 0, ids, i * w + p - prompt.length, prompt.length);
            long[] gen = result.generated().get(i);
            System.arraycopy(gen, 0, ids, i * w + p, gen.length);
            int firstPad = c;
            for (int t = 0; t < c; t++) {
                long id = ids[i * w + p + t];
                if (id == padId && firstPad == c) {
                    firstPad = t;
                }
                if (id == eosId) {
                    containsEos[i] = true;
                    eosTokens++;
                }
            }
            seqLen[i] = firstPad - 1;
            responses.add(tokenizer.decode(Arrays.copyOfRange(gen, 0, Math.min(gen.length, firstPad)), true));
        }
        double[] logp = new double[rows * c];
        double[] ref = new double[rows * c];
        double[] values = new double[rows * c];
        double[] scores = new double[rows];
        PPORollout layout = new PPORollout(ids, rows, p, c, padId, null, null);
        int size = config.perDeviceTrainBatchSize;
        List<String> promptTexts = new ArrayList<>(rows);
        List<Map<String, String>> columns = new ArrayList<>(rows);
        for (GRPOExample e : examples) {
            promptTexts.add(e.prompt());
            columns.add(e.columns());
        }
        try (var _ = Grad.disabled()) {
            for (int from = 0; from < rows; from += size) {
                int to = Math.min(rows, from + size);
                int[] which = new int[to - from];
                for (int k = 0; k < which.length; k++) {
                    which[k] = from + k;
                }
                PPOBatch b = layout.batch(which);
                copy(logps(policy, b), logp, from * c);
                copy(logps(reference, b), ref, from * c);
                copy(value.values(b.inputIds(), b.attentionMask()).narrow(1, p - 1, c).contiguous().toDoubleArray(),
                        values, from * c);
                double[] s = scorer.score(promptTexts.subList(from, to), responses.subList(from, to),
                        columns.subList(from, to), b.inputIds(), b.attentionMask());
                System.arraycopy(s, 0, scores, from, s.length);
            }
        }
        PPOAdvantages.Result r = PPOAdvantages.compute(logp, ref, values, scores, seqLen, containsEos, rows, c,
                new PPOAdvantages.Params(klCoef, estimator, config.whitenRewards, config.gamma, config.lam,
                        config.missingEosPenalty));
        metrics.rollout(PPOMetrics.Rollout.of(r, rows, c), eosTokens, klCoef);
        int[][] order = new int[config.numPpoEpochs][];
        for (int e = 0; e < order.length; e++) {
            order[e] = random.permutation(rows);
        }
        return new PPORollout(ids, rows, p, c, padId, r, order);
    }

    private double[] logps(CausalLM m, PPOBatch b) {
        Tensor logits = m.forward(b.inputIds(), b.attentionMask(), null);
        Tensor s = logits.narrow(1, b.queryWidth() - 1, b.responseWidth()).div(config.temperature + 1e-7);
        return F.logSoftmaxGather(s, b.responseIds()).contiguous().toDoubleArray();
    }

    private static void copy(double[] from, double[] to, int offset) {
        System.arraycopy(from, 0, to, offset, from.length);
    }
}
