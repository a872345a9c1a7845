package io.rlhf4j.inference;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-of-N reranking: N sampled completions per prompt, every prompt's candidates generated in
 * one batch, each scored on prompt + completion by a {@link SequenceScorer} (a reward model or an
 * ensemble, aggregated per {@link BestOfNConfig#aggregation()}), plus an optional diversity bonus
 * (weight × mean normalised token edit distance to the prompt's other candidates, which favours
 * candidates unlike the rest); the highest total wins, the first on ties.
 */
public final class BestOfNSampler {

    /**
     * One candidate.
     *
     * @param tokens         generated ids (EOS included when it ended the candidate)
     * @param reward         the aggregated score of the scorer
     * @param diversityBonus the weighted diversity bonus
     * @param score          reward + diversityBonus, what the selection compares
     */
    public record Candidate(long[] tokens, FinishReason finishReason, double[] rewards, double reward,
            double diversityBonus, double score) {
    }

    /** A prompt's candidates (in sampling order) and the index of the best. */
    public record Selection(int bestIndex, List<Candidate> candidates) {

        public Selection {
            candidates = List.copyOf(candidates);
        }

        public Candidate best() {
            return candidates.get(bestIndex);
        }
    }

    private final CausalLM policy;
    private final SequenceScorer scorer;
    private final BestOfNConfig config;
    private final KvBlockPool sharedPrefixPool;

    public BestOfNSampler(CausalLM policy, SequenceScorer scorer, BestOfNConfig config) {
        this(policy, scorer, config, null);
    }

    private BestOfNSampler(CausalLM policy, SequenceScorer scorer, BestOfNConfig config, KvBlockPool pool) {
        this.policy = policy;
        this.scorer = scorer;
        this.config = config;
        this.sharedPrefixPool = pool;
    }

    /**
     * This sampler generating through {@link SharedPrefixGeneration}: each prompt is prefilled once
     * and its N candidates share the prompt's KV blocks from {@code pool} (same candidates as without).
     */
    public BestOfNSampler withSharedPrefix(KvBlockPool pool) {
        return new BestOfNSampler(policy, scorer, config, pool);
    }

    public BestOfNConfig config() {
        return config;
    }

    /**
     * Samples and reranks N candidates for each prompt.
     *
     * @param base EOS, pad id and stop strings (e.g. {@link GenerationConfig#forModel}); its
     *             sampling settings are replaced by the best-of-N config's
     */
    public List<Selection> sample(List<long[]> prompts, GenerationConfig base) {
        GenerationConfig generation = config.generationConfig(base);
        int rows = prompts.size() * config.n();
        GenerationResult result;
        if (sharedPrefixPool != null) {
            result = SharedPrefixGeneration.generate(policy, PromptBatch.leftPad(prompts,
                    generation.effectivePadTokenId()), config.n(), generation, Generator.seed(config.seed()),
                    sharedPrefixPool);
        } else {
            List<long[]> expanded = new ArrayList<>();
            for (long[] p : prompts) {
                for (int i = 0; i < config.n(); i++) {
                    expanded.add(p);
                }
            }
            result = Generation.generate(policy, PromptBatch.leftPad(expanded, generation.effectivePadTokenId()),
                    generation, Generator.seed(config.seed()), null, TokenStreamer.NONE);
        }
        double[][] scores = scorer.score(result.sequences(), result.attentionMask());
        if (scores.length != rows) {
            throw new IllegalStateException("the scorer returned " + scores.length + " rows for " + rows
                    + " candidates");
        }
        List<Selection> out = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            out.add(select(result, scores, p * config.n()));
        }
        return out;
    }

    private Selection select(GenerationResult result, double[][] scores, int first) {
        int n = config.n();
        List<Candidate> candidates = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < n; i++) {
            long[] tokens = result.generated().get(first + i);
            double bonus = 0;
            if (config.diversityWeight() > 0 && n > 1) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        sum += TokenEditDistance.normalized(tokens, result.generated().get(first + j));
                    }
                }
                bonus = config.diversityWeight() * sum / (n - 1);
            }
            double reward = config.aggregation().apply(scores[first + i]);
            candidates.add(new Candidate(tokens, result.finishReasons().get(first + i), scores[first + i].clone(),
                    reward, bonus, reward + bonus));
            if (candidates.get(i).score() > candidates.get(best).score()) {
                best = i;
            }
        }
        return new Selection(best, candidates);
    }
}
