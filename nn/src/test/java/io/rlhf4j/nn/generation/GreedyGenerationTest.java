package io.rlhf4j.nn.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.policy.PolicyModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Greedy generation equals transformers' generate(do_sample=False) token for token. */
class GreedyGenerationTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String model : new String[] {"llama_gqa_llama3", "qwen3", "gpt2", "smollm_tied"}) {
            for (String c : new String[] {"single", "single_eos", "batch", "eos"}) {
                out.add(Arguments.of(model, c));
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTransformers(String name, String c) throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model(name));
        Map<String, Tensor> ref = GenerationFixtures.generation(name);
        long eos = ref.get(c + ".eos_token_id").getLong(0);
        GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(12).withEosTokenIds(List.of(eos))
                .withPadTokenId(ref.get(c + ".pad_token_id").getLong(0));
        Tensor ids = ref.get(c + ".input_ids");
        Tensor expected = ref.get(c + ".sequences");
        GenerationResult result = policy.generate(new PromptBatch(ids, ref.get(c + ".attention_mask")), config);

        assertThat(result.sequences().shape()).containsExactly(expected.shape());
        assertThat(result.sequences().toLongArray()).containsExactly(expected.toLongArray());
        int width = ids.shape(1);
        int cols = expected.shape(1);
        long[] seq = expected.toLongArray();
        long[] mask = result.attentionMask().toLongArray();
        for (int b = 0; b < ids.shape(0); b++) {
            long[] gen = result.generated().get(b);
            FinishReason reason = result.finishReasons().get(b);
            boolean endsWithEos = gen.length > 0 && gen[gen.length - 1] == eos;
            assertThat(reason).isEqualTo(endsWithEos ? FinishReason.EOS : FinishReason.LENGTH);
            assertThat(gen.length).isEqualTo(endsWithEos ? gen.length : 12);
            for (int s = 0; s < cols - width; s++) {
                boolean generated = s < gen.length;
                assertThat(mask[b * cols + width + s]).isEqualTo(generated ? 1 : 0);
                if (generated) {
                    assertThat(gen[s]).isEqualTo(seq[b * cols + width + s]);
                }
            }
        }
        if (c.endsWith("eos")) {
            assertThat(result.finishReasons().getFirst()).isEqualTo(FinishReason.EOS);
        }
    }
}
