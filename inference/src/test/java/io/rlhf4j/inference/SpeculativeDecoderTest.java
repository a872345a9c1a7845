package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SpeculativeDecoderTest {

    private static final List<long[]> PROMPTS = List.of(new long[] {5, 17, 3, 42, 8}, new long[] {11},
            new long[] {7, 7, 30, 1, 9, 23, 4});

    /** The target with every MLP weight scaled: same vocabulary, different predictions. */
    static CausalLM perturbedDraft(String name) {
        CausalLM draft = TestModels.load(name);
        try (var _ = Memory.scope()) {
            for (Map.Entry<String, Parameter> e : draft.module().namedParameters().entrySet()) {
                if (e.getKey().contains("mlp") && e.getKey().endsWith("weight")) {
                    e.getValue().load(e.getValue().tensor().mul(1.7));
                }
            }
        }
        return draft;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5})
    void greedyEqualsTargetOnlyGreedyTokenForToken(int gamma) {
        CausalLM target = TestModels.load("qwen3");
        CausalLM draft = perturbedDraft("qwen3");
        GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(12);
        SpeculativeDecoder decoder = new SpeculativeDecoder(target, draft, gamma);
        int proposed = 0;
        int accepted = 0;
        for (long[] prompt : PROMPTS) {
            GenerationResult plain = Generation.generate(target, PromptBatch.leftPad(List.of(prompt), 0), config,
                    null, null, TokenStreamer.NONE);
            SpeculativeDecoder.Result fast = decoder.generate(prompt, config, null);
            assertThat(fast.tokens()).isEqualTo(plain.generated().getFirst());
            assertThat(fast.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(fast.rounds()).isLessThanOrEqualTo(12);
            proposed += fast.proposed();
            accepted += fast.accepted();
        }
        double rate = (double) accepted / proposed;
        System.out.printf("gamma %d: acceptance %.3f (%d of %d drafts)%n", gamma, rate, accepted, proposed);
        assertThat(rate).isBetween(0.0, 0.99);
    }

    @Test
    void greedyStopsAtEosLikeTheTarget() {
        CausalLM target = TestModels.load("llama_gqa_llama3");
        long[] prompt = PROMPTS.getFirst();
        GenerationConfig probe = GenerationConfig.defaults().withMaxNewTokens(10);
        long[] free = new SpeculativeDecoder(target, target, 4).generate(prompt, probe, null).tokens();
        GenerationConfig config = probe.withEosTokenIds(List.of(free[3]));
        SpeculativeDecoder.Result result = new SpeculativeDecoder(target, perturbedDraft("llama_gqa_llama3"), 4)
                .generate(prompt, config, null);
        GenerationResult plain = Generation.generate(target, PromptBatch.leftPad(List.of(prompt), 0), config, null,
                null, TokenStreamer.NONE);
        assertThat(result.tokens()).isEqualTo(plain.generated().getFirst());
        assertThat(result.finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(result.tokens()[result.tokens().length - 1]).isEqualTo(free[3]);
    }

    @Test
    void draftEqualToTargetIsAlwaysAcceptedAndSamplingIsSeeded() {
        CausalLM target = TestModels.load("qwen3");
        GenerationConfig greedy = GenerationConfig.defaults().withMaxNewTokens(13);
        SpeculativeDecoder.Result same = new SpeculativeDecoder(target, target, 4).generate(PROMPTS.get(2), greedy,
                null);
        assertThat(same.acceptanceRate()).isEqualTo(1.0);
        assertThat(same.rounds()).isEqualTo(3);

        GenerationConfig sampling = greedy.withDoSample(true).withTemperature(1.3);
        SpeculativeDecoder decoder = new SpeculativeDecoder(target, perturbedDraft("qwen3"), 3);
        List<SpeculativeDecoder.Result> a = decoder.generate(PROMPTS, sampling, Generator.seed(5));
        List<SpeculativeDecoder.Result> b = decoder.generate(PROMPTS, sampling, Generator.seed(5));
        List<SpeculativeDecoder.Result> c = decoder.generate(PROMPTS, sampling, Generator.seed(6));
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertThat(a.get(i).tokens()).hasSize(13).isEqualTo(b.get(i).tokens());
        }
        assertThat(a.stream().map(r -> List.of(r.tokens())).toList())
                .isNotEqualTo(c.stream().map(r -> List.of(r.tokens())).toList());
        SpeculativeDecoder.Result sampledSame = new SpeculativeDecoder(target, target, 4)
                .generate(PROMPTS.get(2), sampling, Generator.seed(5));
        assertThat(sampledSame.acceptanceRate()).isGreaterThan(0.95);
    }

    @Test
    void rejectsMismatchedVocabulariesAndBadGamma() {
        CausalLM qwen3 = TestModels.load("qwen3");
        assertThatThrownBy(() -> new SpeculativeDecoder(qwen3, TestModels.load("gpt2"), 2))
                .hasMessageContaining("(160) must be the target's (150)");
        assertThatThrownBy(() -> new SpeculativeDecoder(qwen3, qwen3, 0)).hasMessageContaining("gamma");
    }

    /**
     * Sampled speculative decoding of 3 tokens over a 3-token vocabulary: the frequencies of all 27
     * sequences over 20,000 seeded runs match the target's exact probabilities P(a|0)·P(b|a)·P(c|b)
     * within 4.5 standard errors (a draft-biased scheme would miss by far more).
     */
    @Test
    void sampledSequencesFollowTheTargetDistribution() {
        BigramLM target = new BigramLM(new float[][] {{0.5f, 1.5f, -0.5f}, {1f, 0f, 0.2f}, {-1f, 0.3f, 1.2f}});
        BigramLM draft = new BigramLM(new float[][] {{1.5f, -0.5f, 0.5f}, {0f, 1f, 0f}, {0.4f, 0.4f, -0.2f}});
        GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(3).withDoSample(true).withTopK(0);
        SpeculativeDecoder decoder = new SpeculativeDecoder(target, draft, 2);
        Generator g = Generator.seed(2024);
        int runs = 20_000;
        int[] counts = new int[27];
        int accepted = 0;
        int proposed = 0;
        for (int r = 0; r < runs; r++) {
            SpeculativeDecoder.Result result = decoder.generate(new long[] {0}, config, g);
            long[] t = result.tokens();
            counts[(int) (t[0] * 9 + t[1] * 3 + t[2])]++;
            accepted += result.accepted();
            proposed += result.proposed();
        }
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 3; c++) {
                    double p = target.probability(0, a) * target.probability(a, b) * target.probability(b, c);
                    double freq = counts[a * 9 + b * 3 + c] / (double) runs;
                    double se = Math.sqrt(p * (1 - p) / runs);
                    assertThat(freq).as("sequence %d %d %d", a, b, c).isCloseTo(p, within(4.5 * se));
                }
            }
        }
        double rate = (double) accepted / proposed;
        System.out.printf("bigram toy: acceptance %.3f%n", rate);
        assertThat(rate).isBetween(0.2, 0.95);
    }
}
