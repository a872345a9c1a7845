package io.rlhf4j.inference;

import io.rlhf4j.nn.generation.GenerationConfig;

/**
 * Settings of {@link BestOfNSampler}.
 *
 * @param n               candidates per prompt
 * @param temperature     sampling temperature (> 0)
 * @param topP            nucleus sampling threshold in (0, 1]; 1 disables it
 * @param topK            top-k filter; 0 disables it
 * @param maxNewTokens    tokens generated per candidate at most
 * @param aggregation     how the scores of several reward models (an ensemble) become one reward
 * @param diversityWeight weight of the diversity bonus: the candidate's mean normalised token edit
 *                        distance to the other candidates of its prompt (0 turns it off)
 * @param seed            seeds the sampling
 */
public record BestOfNConfig(int n, double temperature, double topP, int topK, int maxNewTokens,
        Aggregation aggregation, double diversityWeight, long seed) {

    /** Combines each candidate's per-model rewards. */
    public enum Aggregation {
        MEAN, MIN, MAX;

        double apply(double[] scores) {
            if (scores.length == 0) {
                throw new IllegalArgumentException("no scores to aggregate");
            }
            double acc = this == MEAN ? 0 : scores[0];
            for (double s : scores) {
                acc = switch (this) {
                    case MEAN -> acc + s;
                    case MIN -> Math.min(acc, s);
                    case MAX -> Math.max(acc, s);
                };
            }
            return this == MEAN ? acc / scores.length : acc;
        }
    }

    public BestOfNConfig {
        if (n < 1) {
            throw new IllegalArgumentException("n (candidates per prompt) must be >= 1, got " + n);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive finite number, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0 || maxNewTokens < 1) {
            throw new IllegalArgumentException("top_k must be >= 0 and max_new_tokens >= 1, got " + topK + " and "
                    + maxNewTokens);
        }
        if (aggregation == null || !(diversityWeight >= 0)) {
            throw new IllegalArgumentException("aggregation must be set and diversity_weight >= 0, got " + aggregation
                    + " and " + diversityWeight);
        }
    }

    /** 4 candidates, temperature 1, no top-p/top-k, 64 new tokens, mean aggregation, no diversity bonus, seed 0. */
    public static BestOfNConfig defaults() {
        return new BestOfNConfig(4, 1.0, 1.0, 0, 64, Aggregation.MEAN, 0.0, 0);
    }

    public BestOfNConfig withN(int value) {
        return new BestOfNConfig(value, temperature, topP, topK, maxNewTokens, aggregation, diversityWeight, seed);
    }

    public BestOfNConfig withTemperature(double value) {
        return new BestOfNConfig(n, value, topP, topK, maxNewTokens, aggregation, diversityWeight, seed);
    }

    public BestOfNConfig withTopP(double value) {
        return new BestOfNConfig(n, temperature, value, topK, maxNewTokens, aggregation, diversityWeight, seed);
    }

    public BestOfNConfig withTopK(int value) {
        return new BestOfNConfig(n, temperature, topP, value, maxNewTokens, aggregation, diversityWeight, seed);
    }

    public BestOfNConfig withMaxNewTokens(int value) {
        return new BestOfNConfig(n, temperature, topP, topK, value, aggregation, diversityWeight, seed);
    }

    public BestOfNConfig withAggregation(Aggregation value) {
        return new BestOfNConfig(n, temperature, topP, topK, maxNewTokens, value, diversityWeight, seed);
    }

    public BestOfNConfig withDiversityWeight(double value) {
        return new BestOfNConfig(n, temperature, topP, topK, maxNewTokens, aggregation, value, seed);
    }

    public BestOfNConfig withSeed(long value) {
        return new BestOfNConfig(n, temperature, topP, topK, maxNewTokens, aggregation, diversityWeight, value);
    }

    /** {@code base} (EOS and pad ids, stop strings) with this config's sampling settings. */
    public GenerationConfig generationConfig(GenerationConfig base) {
        return base.withDoSample(true).withTemperature(temperature).withTopP(topP).withTopK(topK)
                .withMaxNewTokens(maxNewTokens).withSeed(seed);
    }
}
