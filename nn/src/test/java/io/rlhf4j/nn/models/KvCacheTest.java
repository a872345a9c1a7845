package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.KvCache;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Incremental decoding through a KV cache gives the logits of the full forward at every new position. */
class KvCacheTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "qwen3", "qwen2", "gpt2"})
    void incrementalForwardEqualsFullForward(String name) throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        Map<String, Tensor> ref = Fixtures.reference(name);
        Tensor ids = ref.get("padded.input_ids");
        Tensor mask = ref.get("padded.attention_mask");
        int batch = ids.shape(0);
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            Tensor full = model.forward(ids, mask, null);
            KvCache cache = model.newKvCache(batch, 16);
            int[][] steps = {{0, 6}, {6, 1}, {7, 2}};
            for (int[] step : steps) {
                int start = step[0];
                int len = step[1];
                Tensor logits = model.forward(ids.narrow(1, start, len).contiguous(),
                        mask.narrow(1, 0, start + len).contiguous(), null, cache);
                assertThat(cache.length()).isEqualTo(start + len);
                double delta = Fixtures.maxDeltaAtTokens(logits, full.narrow(1, start, len).contiguous(),
                        mask.narrow(1, start, len).contiguous());
                System.out.printf("%s cached step [%d, %d): max |Δ| vs full forward = %.3e%n", name, start,
                        start + len, delta);
                assertThat(delta).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied"})
    void maskMustCoverCachedAndNewPositionsAndCapacityIsEnforced(String name) throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            KvCache cache = model.newKvCache(1, 3);
            model.forward(Tensor.ofLongs(new long[] {1, 2}, 1, 2), null, null, cache);
            assertThatThrownBy(() -> model.forward(Tensor.ofLongs(new long[] {3}, 1, 1),
                    Tensor.ofLongs(new long[] {1}, 1, 1), null, cache)).hasMessageContaining("[1, 3]");
            model.forward(Tensor.ofLongs(new long[] {3}, 1, 1), null, null, cache);
            assertThatThrownBy(() -> model.forward(Tensor.ofLongs(new long[] {4}, 1, 1), null, null, cache))
                    .hasMessageContaining("capacity 3");
        }
    }

    /** Truncating rolls the cache back: the positions after it are recomputed as if never cached. */
    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "gpt2"})
    void truncateRollsBack(String name) throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        Map<String, Tensor> ref = Fixtures.reference(name);
        Tensor ids = ref.get("padded.input_ids");
        Tensor mask = ref.get("padded.attention_mask");
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            KvCache cache = model.newKvCache(ids.shape(0), 16);
            model.forward(ids.narrow(1, 0, 6).contiguous(), mask.narrow(1, 0, 6).contiguous(), null, cache);
            Tensor first = model.forward(ids.narrow(1, 6, 3).contiguous(), mask.narrow(1, 0, 9).contiguous(), null,
                    cache);
            int rows = ids.shape(0);
            long[] shifted = ids.narrow(1, 6, 3).contiguous().toLongArray();
            for (int i = 0; i < shifted.length; i++) {
                shifted[i] = (shifted[i] + 1) % model.config().vocabSize();
            }
            long[] ones = new long[rows * 3];
            java.util.Arrays.fill(ones, 1);
            Tensor wider = Tensor.cat(java.util.List.of(mask.narrow(1, 0, 9).contiguous(), Tensor.ofLongs(ones, rows, 3)),
                    1);
            model.forward(Tensor.ofLongs(shifted, rows, 3), wider, null, cache);
            assertThatThrownBy(() -> cache.truncate(13)).hasMessageContaining("holds 12");
            cache.truncate(6);
            assertThat(cache.length()).isEqualTo(6);
            Tensor again = model.forward(ids.narrow(1, 6, 3).contiguous(), mask.narrow(1, 0, 9).contiguous(), null,
                    cache);
            assertThat(again.toFloatArray()).containsExactly(first.toFloatArray());
        }
    }
}
