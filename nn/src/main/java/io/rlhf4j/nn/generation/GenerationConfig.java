package io.rlhf4j.nn.generation;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.nn.models.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * How to generate, with the names and defaults of transformers' GenerationConfig: greedy unless
 * {@code doSample}; when sampling, the warpers temperature (if ≠ 1), top-k (if ≠ 0) and top-p
 * (if < 1) are applied in that order. The number of new tokens is {@code maxNewTokens} when set,
 * else {@code maxLength} minus the (padded) prompt width, as in transformers (default max_length
 * 20). A row finishes when it emits one of {@code eosTokenIds} (the EOS token is kept) or when
 * its generated text contains one of {@code stopStrings}; finished rows are filled with
 * {@code padTokenId}.
 *
 * @param maxNewTokens new tokens per row, or null to use maxLength
 * @param maxLength    prompt width + new tokens, used when maxNewTokens is null
 * @param padTokenId   the id for left padding and finished rows; null falls back to the first
 *                     EOS id, as transformers does (or 0 when there is no EOS id either)
 * @param seed         seeds the sampling generator when the caller does not supply one
 */
public record GenerationConfig(Integer maxNewTokens, int maxLength, boolean doSample, double temperature, int topK,
        double topP, List<Long> eosTokenIds, Long padTokenId, List<String> stopStrings, long seed) {

    public GenerationConfig {
        if (maxNewTokens != null && maxNewTokens < 0) {
            throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a strictly positive finite number, got "
                    + temperature + " (for greedy decoding set do_sample = false)");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 disables it), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in [0, 1], got " + topP);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop_strings must not contain an empty string");
        }
    }

    /** transformers' defaults: greedy, max_length 20, temperature 1, top_k 50, top_p 1, no EOS. */
    public static GenerationConfig defaults() {
        return new GenerationConfig(null, 20, false, 1.0, 50, 1.0, List.of(), null, List.of(), 0);
    }

    /** The defaults with the EOS and pad ids of a model's config.json (eos_token_id may be a list). */
    public static GenerationConfig forModel(ModelConfig config) {
        List<Long> eos = new ArrayList<>();
        JsonNode e = config.raw().get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(v -> eos.add(v.asLong()));
        } else if (e != null && e.isIntegralNumber()) {
            eos.add(e.asLong());
        }
        JsonNode p = config.raw().get("pad_token_id");
        Long pad = p != null && p.isIntegralNumber() ? p.asLong() : null;
        return defaults().withEosTokenIds(eos).withPadTokenId(pad);
    }

    /** New tokens to generate after a prompt {@code promptWidth} positions wide. */
    public int newTokens(int promptWidth) {
        return maxNewTokens != null ? maxNewTokens : Math.max(0, maxLength - promptWidth);
    }

    /** The pad id in effect (see {@link #padTokenId()}). */
    public long effectivePadTokenId() {
        return padTokenId != null ? padTokenId : eosTokenIds.isEmpty() ? 0 : eosTokenIds.getFirst();
    }

    public GenerationConfig withMaxNewTokens(Integer n) {
        return new GenerationConfig(n, maxLength, doSample, temperature, topK, topP, eosTokenIds, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withMaxLength(int n) {
        return new GenerationConfig(maxNewTokens, n, doSample, temperature, topK, topP, eosTokenIds, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withDoSample(boolean on) {
        return new GenerationConfig(maxNewTokens, maxLength, on, temperature, topK, topP, eosTokenIds, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withTemperature(double t) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, t, topK, topP, eosTokenIds, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, k, topP, eosTokenIds, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withTopP(double p) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, p, eosTokenIds, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withEosTokenIds(List<Long> ids) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP, ids, padTokenId,
                stopStrings, seed);
    }

    public GenerationConfig withPadTokenId(Long id) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP, eosTokenIds, id,
                stopStrings, seed);
    }

    public GenerationConfig withStopStrings(List<String> strings) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP, eosTokenIds,
                padTokenId, strings, seed);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP, eosTokenIds,
                padTokenId, stopStrings, s);
    }
}
