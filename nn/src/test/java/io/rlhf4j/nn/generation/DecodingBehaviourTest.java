package io.rlhf4j.nn.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.PolicyModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoding loop in Java terms: cache vs recomputation, seeds, stop strings, streaming, memory. */
class DecodingBehaviourTest {

    private static final GenerationConfig GREEDY = GenerationConfig.defaults().withMaxNewTokens(10)
            .withPadTokenId(0L);

    private static PromptBatch batch(String name) {
        Map<String, Tensor> ref = GenerationFixtures.generation(name);
        return new PromptBatch(ref.get("batch.input_ids"), ref.get("batch.attention_mask"));
    }

    /** Greedy decoding that re-runs the full sequence every step, no cache. */
    private static long[] recomputed(CausalLM model, PromptBatch prompts, int steps) {
        int rows = prompts.batch();
        List<long[]> ids = new ArrayList<>();
        List<long[]> mask = new ArrayList<>();
        long[] pid = prompts.inputIds().toLongArray();
        long[] pm = prompts.attentionMask().toLongArray();
        int width = prompts.width();
        for (int b = 0; b < rows; b++) {
            ids.add(Arrays.copyOfRange(pid, b * width, (b + 1) * width));
            mask.add(Arrays.copyOfRange(pm, b * width, (b + 1) * width));
        }
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            for (int s = 0; s < steps; s++) {
                int cols = width + s;
                Tensor logits = model.forward(Tensor.ofLongs(flat(ids), rows, cols),
                        Tensor.ofLongs(flat(mask), rows, cols), null);
                long[] next = logits.narrow(1, cols - 1, 1).squeeze(1).argmax(1, false).toLongArray();
                for (int b = 0; b < rows; b++) {
                    ids.set(b, append(ids.get(b), next[b]));
                    mask.set(b, append(mask.get(b), 1));
                }
            }
        }
        return flat(ids);
    }

    private static long[] append(long[] a, long v) {
        long[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }

    private static long[] flat(List<long[]> rows) {
        return rows.stream().flatMapToLong(Arrays::stream).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "qwen3", "gpt2", "smollm_tied"})
    void cachedGenerationEqualsRecomputingTheFullSequence(String name) throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model(name));
        PromptBatch prompts = batch(name);
        GenerationResult result = policy.generate(prompts, GREEDY);
        assertThat(result.sequences().toLongArray()).containsExactly(recomputed(policy.model(), prompts, 10));
    }

    @Test
    void samplingIsReproducibleForASeedAndDiffersAcrossSeeds() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("smollm_tied"));
        PromptBatch prompts = batch("smollm_tied");
        GenerationConfig sample = GREEDY.withMaxNewTokens(12).withDoSample(true).withTemperature(1.5).withTopK(0);
        long[] a = policy.generate(prompts, sample.withSeed(1)).sequences().toLongArray();
        long[] b = policy.generate(prompts, sample.withSeed(1)).sequences().toLongArray();
        long[] c = policy.generate(prompts, sample.withSeed(2)).sequences().toLongArray();
        long[] greedy = policy.generate(prompts, GREEDY.withMaxNewTokens(12)).sequences().toLongArray();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(a).isNotEqualTo(greedy);
        long[] topOne = policy.generate(prompts, sample.withTopK(1).withSeed(3)).sequences().toLongArray();
        assertThat(topOne).as("sampling with top_k = 1 is greedy").containsExactly(greedy);
        Generator g = Generator.seed(9);
        long[] shared = policy.generate(prompts, sample, g, null, TokenStreamer.NONE).sequences().toLongArray();
        assertThat(policy.generate(prompts, sample, Generator.seed(9), null, TokenStreamer.NONE).sequences()
                .toLongArray()).containsExactly(shared);
    }

    @Test
    void stopStringEndsARowAtTheTokenThatCompletesIt() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("qwen3"));
        PromptBatch prompts = batch("qwen3");
        GenerationResult plain = policy.generate(prompts, GREEDY);
        long[] row1 = plain.generated().get(1);
        int stopAt = 4;
        TokenDecoder decoder = ids -> Arrays.stream(ids).mapToObj(i -> "<" + i + ">").collect(Collectors.joining());
        String stop = "<" + row1[stopAt - 1] + "><" + row1[stopAt] + ">";
        int first = decoder.decode(row1).indexOf(stop);
        GenerationResult stopped = policy.generate(prompts, GREEDY.withStopStrings(List.of(stop)),
                Generator.seed(0), decoder, TokenStreamer.NONE);
        long[] got = stopped.generated().get(1);
        assertThat(stopped.finishReasons().get(1)).isEqualTo(FinishReason.STOP_STRING);
        assertThat(decoder.decode(got)).endsWith(stop);
        assertThat(decoder.decode(got).length()).isEqualTo(first + stop.length());
        assertThat(got).containsExactly(Arrays.copyOf(row1, got.length));
        long[] seq = stopped.sequences().toLongArray();
        int cols = stopped.sequences().shape(1);
        for (int s = got.length; s < stopped.newColumns(); s++) {
            assertThat(seq[cols + prompts.width() + s]).as("pad after the stop").isEqualTo(0);
        }
        assertThatThrownBy(() -> policy.generate(prompts, GREEDY.withStopStrings(List.of("x"))))
                .hasMessageContaining("TokenDecoder");
    }

    @Test
    void streamerSeesEveryGeneratedTokenInOrderAndEachFinish() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("gpt2"));
        Map<String, Tensor> ref = GenerationFixtures.generation("gpt2");
        PromptBatch prompts = new PromptBatch(ref.get("eos.input_ids"), ref.get("eos.attention_mask"));
        GenerationConfig config = GREEDY.withMaxNewTokens(12)
                .withEosTokenIds(List.of(ref.get("eos.eos_token_id").getLong(0)));
        List<List<Long>> streamed = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<String> finishes = new ArrayList<>();
        TokenStreamer streamer = new TokenStreamer() {
            @Override
            public void onToken(int step, int row, long token) {
                assertThat(step).isEqualTo(streamed.get(row).size());
                streamed.get(row).add(token);
            }

            @Override
            public void onFinish(int row, FinishReason reason) {
                finishes.add(row + ":" + reason);
            }
        };
        GenerationResult result = policy.generate(prompts, config, Generator.seed(0), null, streamer);
        for (int b = 0; b < 3; b++) {
            assertThat(streamed.get(b)).containsExactly(Arrays.stream(result.generated().get(b)).boxed()
                    .toArray(Long[]::new));
        }
        assertThat(finishes).hasSize(3).contains("0:EOS");
    }

    @Test
    void listPromptsAreLeftPaddedAndMemoryStaysFlat() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("llama_gqa_llama3"));
        PromptBatch prompts = batch("llama_gqa_llama3");
        long[] ids = prompts.inputIds().toLongArray();
        long[] mask = prompts.attentionMask().toLongArray();
        int width = prompts.width();
        List<long[]> list = new ArrayList<>();
        for (int b = 0; b < prompts.batch(); b++) {
            int row = b;
            list.add(java.util.stream.IntStream.range(0, width).filter(t -> mask[row * width + t] != 0)
                    .mapToLong(t -> ids[row * width + t]).toArray());
        }
        GenerationResult fromList = policy.generate(list, GREEDY);
        GenerationResult fromBatch = policy.generate(prompts, GREEDY);
        assertThat(fromList.attentionMask().toLongArray()).containsExactly(fromBatch.attentionMask().toLongArray());
        for (int b = 0; b < prompts.batch(); b++) {
            assertThat(fromList.generated().get(b)).containsExactly(fromBatch.generated().get(b));
        }
        try (var _ = Memory.scope()) {
            long before = Memory.pool().stats().bytesInUse();
            GenerationResult short4 = policy.generate(prompts, GREEDY.withMaxNewTokens(4));
            long afterShort = Memory.pool().stats().bytesInUse() - before;
            GenerationResult long12 = policy.generate(prompts, GREEDY.withMaxNewTokens(12));
            long afterLong = Memory.pool().stats().bytesInUse() - before - afterShort;
            assertThat(short4.newColumns()).isEqualTo(4);
            assertThat(long12.newColumns()).isEqualTo(12);
            System.out.printf("pool bytes kept by generate: 4 tokens %d, 12 tokens %d%n", afterShort, afterLong);
            assertThat(afterLong).as("only the results stay in the caller's scope").isLessThanOrEqualTo(4096);
        }
    }
}
