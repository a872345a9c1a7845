package io.rlhf4j.inference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.LogitsProcessor;
import io.rlhf4j.nn.models.CausalLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Speculative decoding: each round the small draft model proposes {@code gamma} tokens one at a
 * time, the target scores all of them in one forward, and the longest acceptable prefix is kept
 * plus one token from the target (the correction at the first rejection, or a bonus token when
 * every draft was accepted). Greedy decoding accepts a draft when it is the target's argmax, so the
 * output equals target-only greedy decoding; sampling uses {@link SpeculativeSampling}'s rejection
 * rule, so the output is distributed as target-only sampling with the same warpers (temperature,
 * top-k, top-p applied to both models). Both KV caches are truncated to the kept tokens after each
 * round.
 *
 * <p>Rows are decoded one at a time (a row's accepted length differs from its neighbours', and a
 * {@link KvCache} holds one length for all rows).
 */
public final class SpeculativeDecoder {

    /**
     * One row's output.
     *
     * @param tokens   the generated ids (EOS included when it ended the row)
     * @param proposed draft tokens proposed
     * @param accepted draft tokens accepted
     * @param rounds   target forwards
     */
    public record Result(long[] tokens, FinishReason finishReason, int proposed, int accepted, int rounds) {

        /** accepted / proposed (1 when nothing was proposed). */
        public double acceptanceRate() {
            return proposed == 0 ? 1.0 : (double) accepted / proposed;
        }
    }

    private final CausalLM target;
    private final CausalLM draft;
    private final int gamma;

    public SpeculativeDecoder(CausalLM target, CausalLM draft, int gamma) {
        if (gamma < 1) {
            throw new IllegalArgumentException("gamma (draft tokens per round) must be >= 1, got " + gamma);
        }
        if (target.config().vocabSize() != draft.config().vocabSize()) {
            throw new IllegalArgumentException("the draft model's vocabulary (" + draft.config().vocabSize()
                    + ") must be the target's (" + target.config().vocabSize() + ")");
        }
        this.target = target;
        this.draft = draft;
        this.gamma = gamma;
    }

    public int gamma() {
        return gamma;
    }

    /** Decodes every prompt in turn with one generator (seeded from {@code config.seed()} when null). */
    public List<Result> generate(List<long[]> prompts, GenerationConfig config, Generator generator) {
        Generator g = generator != null ? generator : Generator.seed(config.seed());
        List<Result> out = new ArrayList<>();
        for (long[] prompt : prompts) {
            out.add(generate(prompt, config, g));
        }
        return out;
    }

    /** Decodes one unpadded prompt; {@code generator} is used only when sampling. */
    public Result generate(long[] prompt, GenerationConfig config, Generator generator) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (config.doSample() && generator == null) {
            throw new IllegalArgumentException("do_sample = true needs a Generator to draw tokens from");
        }
        if (!config.stopStrings().isEmpty()) {
            throw new IllegalArgumentException("speculative decoding does not support stop_strings "
                    + config.stopStrings());
        }
        int maxNew = config.newTokens(prompt.length);
        List<LogitsProcessor> warpers = LogitsProcessor.warpers(config);
        long[] seq = Arrays.copyOf(prompt, prompt.length + maxNew + gamma + 1);
        int len = prompt.length;
        int proposed = 0;
        int accepted = 0;
        int rounds = 0;
        FinishReason reason = FinishReason.LENGTH;
        try (var _ = Grad.disabled()) {
            int capacity = prompt.length + maxNew + gamma + 1;
            KvCache targetCache = target.newKvCache(1, capacity);
            KvCache draftCache = draft.newKvCache(1, capacity);
            while (len - prompt.length < maxNew) {
                int k = Math.min(gamma, maxNew - (len - prompt.length) - 1);
                int emitted;
                try (var _ = Memory.scope()) {
                    double[][] q = new double[k][];
                    for (int i = 0; i < k; i++) {
                        Tensor logits = draft.forwardLast(tail(seq, draftCache.length(), len + i), null, null,
                                draftCache);
                        if (config.doSample()) {
                            q[i] = SpeculativeSampling.probabilities(logits, warpers)[0];
                            seq[len + i] = SpeculativeSampling.sample(q[i], generator.nextDouble());
                        } else {
                            seq[len + i] = SpeculativeSampling.argmax(logits.toFloatArray());
                        }
                    }
                    Tensor all = target.forward(tail(seq, targetCache.length(), len + k), null, null, targetCache);
                    int positions = all.shape(1);
                    Tensor p = all.narrow(1, positions - k - 1, k + 1).squeeze(0);
                    int n = config.doSample() ? verifySampled(p, q, seq, len, k, warpers, generator)
                            : verifyGreedy(p, seq, len, k);
                    proposed += k;
                    accepted += n;
                    rounds++;
                    emitted = n + 1;
                    targetCache.truncate(len + n);
                    draftCache.truncate(Math.min(draftCache.length(), len + n));
                }
                int end = len + emitted;
                for (; len < end; len++) {
                    if (config.eosTokenIds().contains(seq[len])) {
                        len++;
                        reason = FinishReason.EOS;
                        break;
                    }
                }
                if (reason == FinishReason.EOS) {
                    break;
                }
            }
        }
        return new Result(Arrays.copyOfRange(seq, prompt.length, len), reason, proposed, accepted, rounds);
    }

    /** Keeps drafts while they are the target's argmax; writes the target's token after them. Returns drafts kept. */
    private static int verifyGreedy(Tensor p, long[] seq, int len, int k) {
        int vocab = p.shape(1);
        float[] logits = p.contiguous().toFloatArray();
        for (int i = 0; i <= k; i++) {
            int best = SpeculativeSampling.argmax(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab));
            if (i == k || seq[len + i] != best) {
                seq[len + i] = best;
                return i;
            }
        }
        throw new AssertionError("unreachable");
    }

    /** The rejection rule of {@link SpeculativeSampling}; on full acceptance a bonus token is drawn from p_{k+1}. */
    private static int verifySampled(Tensor logits, double[][] q, long[] seq, int len, int k,
            List<LogitsProcessor> warpers, Generator generator) {
        double[][] p = SpeculativeSampling.probabilities(logits, warpers);
        for (int i = 0; i < k; i++) {
            int x = (int) seq[len + i];
            if (generator.nextDouble() >= SpeculativeSampling.acceptance(p[i], q[i], x)) {
                seq[len + i] = SpeculativeSampling.sample(SpeculativeSampling.residual(p[i], q[i]),
                        generator.nextDouble());
                return i;
            }
        }
        seq[len + k] = SpeculativeSampling.sample(p[k], generator.nextDouble());
        return k;
    }

    /** seq[from, to) as input ids [1, to − from]. */
    private static Tensor tail(long[] seq, int from, int to) {
        return Tensor.ofLongs(Arrays.copyOfRange(seq, from, to), 1, to - from);
    }
}
