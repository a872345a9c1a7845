package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedPrefixGenerationTest {

    private static final List<long[]> PROMPTS = List.of(new long[] {5, 17, 3, 42, 8}, new long[] {11, 2});

    /** Prefill once, N rows sharing the prompt blocks: the tokens of plain generation on the repeated batch. */
    @Test
    void equalsGenerationOnTheRepeatedBatch() {
        CausalLM model = TestModels.load("llama_gqa_llama3");
        int n = 3;
        List<long[]> repeated = new ArrayList<>();
        for (long[] p : PROMPTS) {
            for (int i = 0; i < n; i++) {
                repeated.add(p);
            }
        }
        KvBlockPool pool = KvBlockPool.forModel(model.config(), 4, 64);
        for (boolean sample : new boolean[] {false, true}) {
            GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(7).withDoSample(sample)
                    .withEosTokenIds(List.of(2L)).withTemperature(1.5);
            GenerationResult plain = Generation.generate(model, PromptBatch.leftPad(repeated, 0), config,
                    Generator.seed(4), null, TokenStreamer.NONE);
            GenerationResult shared = SharedPrefixGeneration.generate(model, PromptBatch.leftPad(PROMPTS, 0), n,
                    config, Generator.seed(4), pool);
            assertThat(shared.sequences().toLongArray()).isEqualTo(plain.sequences().toLongArray());
            assertThat(shared.attentionMask().toLongArray()).isEqualTo(plain.attentionMask().toLongArray());
            assertThat(shared.finishReasons()).isEqualTo(plain.finishReasons());
            for (int r = 0; r < repeated.size(); r++) {
                assertThat(shared.generated().get(r)).isEqualTo(plain.generated().get(r));
            }
            assertThat(pool.freeBlocks()).isEqualTo(64);
        }
        assertThatThrownBy(() -> SharedPrefixGeneration.generate(model, PromptBatch.leftPad(PROMPTS, 0), 2,
                GenerationConfig.defaults().withStopStrings(List.of("x")), null, pool))
                .hasMessageContaining("stop_strings");
    }
}
