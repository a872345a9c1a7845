package io.rlhf4j.nn.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationFixtures;
import io.rlhf4j.nn.generation.GenerationResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** getLogProbs against torch's log_softmax + gather of transformers' logits (TRL's convention). */
class PolicyLogProbsTest {

    private static int[] ints(Tensor t) {
        return java.util.Arrays.stream(t.toLongArray()).mapToInt(Math::toIntExact).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "qwen3", "gpt2", "smollm_tied"})
    void matchesTorchOnResponseTokens(String name) throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model(name));
        Map<String, Tensor> ref = GenerationFixtures.generation(name);
        Tensor ids = ref.get("logprobs.input_ids");
        Tensor mask = ref.get("logprobs.attention_mask");
        int[] promptLengths = ints(ref.get("logprobs.prompt_lengths"));
        LogProbs lp = policy.getLogProbs(ids, mask, promptLengths);
        float[] want = ref.get("logprobs.per_token").toFloatArray();
        float[] got = lp.tokens().toFloatArray();
        float[] m = lp.mask().toFloatArray();
        assertThat(lp.tokens().shape()).containsExactly(3, 9);
        int responseTokens = 0;
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("entry %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(2e-5));
            assertThat(m[i] == 0).as("mask at %d", i).isEqualTo(want[i] == 0);
            responseTokens += (int) m[i];
        }
        // rows of 10, 8 and 6 tokens with prompts of 4, 3 and 5: 6 + 5 + 1 response tokens
        assertThat(responseTokens).isEqualTo(12);
        assertThat(lp.tokens().gradFn()).isNotNull();
        LogProbs frozen = policy.getLogProbsNoGrad(ids, mask, promptLengths);
        assertThat(frozen.tokens().gradFn()).isNull();
        assertThat(frozen.tokens().toFloatArray()).containsExactly(got);
    }

    @Test
    void gradientsReachTheWeightsAndSumsAreMasked() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("smollm_tied"));
        Map<String, Tensor> ref = GenerationFixtures.generation("smollm_tied");
        Tensor ids = ref.get("logprobs.input_ids");
        LogProbs lp = policy.getLogProbs(ids, ref.get("logprobs.attention_mask"),
                ints(ref.get("logprobs.prompt_lengths")));
        float[] want = ref.get("logprobs.per_token").toFloatArray();
        float[] sums = lp.sum().toFloatArray();
        float[] means = lp.mean().toFloatArray();
        int[] counts = {6, 5, 1};
        for (int b = 0; b < 3; b++) {
            double s = 0;
            for (int t = 0; t < 9; t++) {
                s += want[b * 9 + t];
            }
            assertThat((double) sums[b]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4));
            assertThat((double) means[b]).isCloseTo(s / counts[b], org.assertj.core.data.Offset.offset(1e-4));
        }
        lp.sum().sum().backward();
        for (Parameter p : policy.module().parameters()) {
            assertThat(p.tensor().grad()).as(p.toString()).isNotNull();
            assertThat(p.tensor().grad().abs().sum().item()).as(p.toString()).isGreaterThan(0);
        }
    }

    @Test
    void labelledForwardIsTheMeanNextTokenCrossEntropy() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("qwen3"));
        Map<String, Tensor> ref = GenerationFixtures.generation("qwen3");
        Tensor ids = ref.get("logprobs.input_ids");
        Tensor mask = ref.get("logprobs.attention_mask");
        int[] prompt = ints(ref.get("logprobs.prompt_lengths"));
        long[] labels = ids.toLongArray();
        long[] m = mask.toLongArray();
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 10; t++) {
                if (t < prompt[b] || m[b * 10 + t] == 0) {
                    labels[b * 10 + t] = -100;
                }
            }
        }
        CausalLMOutput out = policy.forward(ids, mask, Tensor.ofLongs(labels, 3, 10));
        double total = 0;
        for (float v : ref.get("logprobs.per_token").toFloatArray()) {
            total += v;
        }
        assertThat(out.logits().shape()).containsExactly(3, 10, 150);
        assertThat(out.loss().item()).isCloseTo(-total / 12, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(policy.forward(ids, mask, null).loss()).isNull();
        assertThatThrownBy(() -> policy.getLogProbs(ids, mask, new int[] {1})).hasMessageContaining("promptLengths");
    }

    @Test
    void logProbsOfGeneratedResponsesUseThePaddedPromptWidth() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("gpt2"));
        Map<String, Tensor> ref = GenerationFixtures.generation("gpt2");
        GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(12).withPadTokenId(0L)
                .withEosTokenIds(List.of(ref.get("eos.eos_token_id").getLong(0)));
        GenerationResult gen = policy.generate(List.of(new long[] {5, 6, 7, 8}, new long[] {9, 10}), config);
        int width = gen.promptWidth();
        LogProbs lp = policy.getLogProbsNoGrad(gen.sequences(), gen.attentionMask(), new int[] {width, width});
        float[] mask = lp.mask().toFloatArray();
        int cols = gen.sequences().shape(1) - 1;
        for (int b = 0; b < 2; b++) {
            int n = 0;
            for (int t = 0; t < cols; t++) {
                n += (int) mask[b * cols + t];
            }
            assertThat(n).isEqualTo(gen.generated().get(b).length);
        }
        // greedy picks the argmax, so each generated token's log-prob is the row's largest: ≤ 0 and ≥ −ln V
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                assertThat((double) lp.tokens().toFloatArray()[i]).isBetween(-Math.log(160), 0.0);
            }
        }
    }
}
