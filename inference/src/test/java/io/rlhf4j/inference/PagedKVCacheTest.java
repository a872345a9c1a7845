package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PagedKVCacheTest {

    private static final List<long[]> PROMPTS = List.of(new long[] {5, 17, 3, 42, 8}, new long[] {11, 2},
            new long[] {7, 7, 30, 1, 9, 23, 4});

    private static PromptBatch prompts() {
        return PromptBatch.leftPad(PROMPTS, 0);
    }

    /**
     * Prefill then single-token steps through a paged and a contiguous cache: the same logits at
     * every step, within 1e-6 when the blocks are gathered for the engine's attention, within 1e-5
     * (float rounding: the paged kernel accumulates in double) with the in-place kernel.
     */
    @ParameterizedTest
    @CsvSource({"llama_gqa_llama3, false", "qwen3, false", "qwen2, false", "gpt2, false", "llama_gqa_llama3, true",
        "qwen3, true", "qwen2, true", "gpt2, true"})
    void stepLogitsEqualContiguousCache(String name, boolean inPlace) {
        CausalLM model = TestModels.load(name);
        KvBlockPool pool = KvBlockPool.forModel(model.config(), 3, 16);
        PromptBatch batch = prompts();
        long[] mask = batch.attentionMask().toLongArray();
        int rows = batch.batch();
        int width = batch.width();
        double tolerance = inPlace ? 1e-5 : 1e-6;
        try (var _ = Grad.disabled(); var _ = Memory.scope(); var paged = new PagedKVCache(pool, rows, inPlace)) {
            KvCache contiguous = model.newKvCache(rows, 16);
            Tensor input = batch.inputIds();
            for (int step = 0; step < 6; step++) {
                Tensor m = maskWithOnes(mask, rows, width, step);
                Tensor a = model.forwardLast(input, m, null, paged);
                Tensor b = model.forwardLast(input, m, null, contiguous);
                double delta = TestModels.maxAbsDiff(a.toFloatArray(), b.toFloatArray());
                assertThat(delta).as("%s step %d", name, step).isLessThanOrEqualTo(tolerance);
                input = Tensor.ofLongs(a.argmax(1, false).toLongArray(), rows, 1);
            }
            assertThat(paged.length()).isEqualTo(width + 5);
            assertThat(paged.blockTable(0)).hasSize((width + 5 + 2) / 3);
        }
        assertThat(pool.freeBlocks()).isEqualTo(16);
    }

    /** Greedy and seeded sampling generation through Generation: the same tokens with either cache. */
    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "mistral"})
    void generationEqualsContiguousTokenForToken(String name) {
        CausalLM model = TestModels.load(name);
        KvBlockPool pool = KvBlockPool.forModel(model.config(), 4, 12);
        for (int mode = 0; mode < 4; mode++) {
            boolean sample = mode % 2 == 1;
            boolean inPlace = mode >= 2;
            GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(9).withDoSample(sample)
                    .withTopK(20).withTemperature(0.9);
            GenerationResult plain = Generation.generate(model, prompts(), config, Generator.seed(7), null,
                    TokenStreamer.NONE);
            List<PagedKVCache> made = new ArrayList<>();
            GenerationResult paged = Generation.generate(model, prompts(), config, Generator.seed(7), null,
                    TokenStreamer.NONE, (b, capacity) -> {
                        PagedKVCache c = new PagedKVCache(pool, b, inPlace);
                        made.add(c);
                        return c;
                    });
            assertThat(paged.sequences().toLongArray()).isEqualTo(plain.sequences().toLongArray());
            assertThat(made).hasSize(1);
            assertThat(pool.freeBlocks()).as("generation closes the cache it made").isEqualTo(12);
        }
    }

    /** The factory's caches go back to the pool when each generation ends: runs do not exhaust it. */
    @Test
    void generationClosesTheCachesTheFactoryMakes() {
        CausalLM model = TestModels.load("smollm_tied");
        KvBlockPool pool = KvBlockPool.forModel(model.config(), 4, 12);
        GenerationConfig config = GenerationConfig.defaults().withMaxNewTokens(9);
        GenerationResult first = null;
        for (int run = 0; run < 3; run++) {
            GenerationResult r = Generation.generate(model, prompts(), config, Generator.seed(7), null,
                    TokenStreamer.NONE, PagedKVCache.factory(pool));
            assertThat(pool.freeBlocks()).isEqualTo(12);
            if (first == null) {
                first = r;
            }
            assertThat(r.sequences().toLongArray()).isEqualTo(first.sequences().toLongArray());
        }
    }

    @Test
    void poolExhaustionNamesTheSizes() {
        KvBlockPool pool = new KvBlockPool(1, 1, 2, 4, 3, io.rlhf4j.engine.DType.F32);
        try (var _ = Memory.scope(); var cache = new PagedKVCache(pool, 2)) {
            Tensor kv = Tensor.zeros(io.rlhf4j.engine.DType.F32, 2, 1, 5, 2);
            assertThatThrownBy(() -> cache.update(0, kv, kv)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs 4 more blocks of 4 positions")
                    .hasMessageContaining("only 3 of 3 are free");
            assertThat(pool.freeBlocks()).isEqualTo(3);
            assertThat(cache.length()).isZero();
        }
    }

    @Test
    void freedBlocksAreReusedAndTruncateReturnsBlocks() {
        KvBlockPool pool = new KvBlockPool(1, 1, 2, 2, 6, io.rlhf4j.engine.DType.F32);
        try (var _ = Memory.scope()) {
            PagedKVCache first = new PagedKVCache(pool, 1);
            Tensor kv = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1, 1, 5, 2);
            first.update(0, kv, kv);
            first.advance(5);
            int[] blocks = first.blockTable(0);
            assertThat(blocks).hasSize(3);
            assertThat(pool.freeBlocks()).isEqualTo(3);
            first.truncate(3);
            assertThat(first.blockTable(0)).containsExactly(blocks[0], blocks[1]);
            assertThat(pool.freeBlocks()).isEqualTo(4);
            first.close();
            assertThat(pool.freeBlocks()).isEqualTo(6);
            PagedKVCache second = new PagedKVCache(pool, 1);
            Tensor one = Tensor.of(new float[] {-1, -2, -3, -4, -5, -6}, 1, 1, 3, 2);
            KvCache.KeyValues all = second.update(0, one, one);
            second.advance(3);
            assertThat(second.blockTable(0)).containsExactlyInAnyOrder(blocks[0], blocks[1]);
            assertThat(all.keys().toFloatArray()).containsExactly(-1, -2, -3, -4, -5, -6);
            assertThatThrownBy(() -> second.truncate(4)).hasMessageContaining("holds 3");
            second.close();
        }
    }

    /** N rows repeated from one prompt share its blocks, and decoding then matches N separately prefilled rows. */
    @Test
    void repeatedRowsShareThePromptAndCopyOnWrite() {
        CausalLM model = TestModels.load("qwen3");
        KvBlockPool pool = KvBlockPool.forModel(model.config(), 2, 20);
        long[] prompt = PROMPTS.getFirst();
        int n = 3;
        try (var _ = Grad.disabled(); var _ = Memory.scope(); var one = new PagedKVCache(pool, 1)) {
            model.forwardLast(Tensor.ofLongs(prompt, 1, prompt.length), null, null, one);
            assertThat(pool.freeBlocks()).isEqualTo(20 - 3);
            try (PagedKVCache shared = one.repeatRows(n)) {
                assertThat(pool.freeBlocks()).isEqualTo(20 - 3);
                assertThat(pool.refCount(shared.blockTable(2)[0])).isEqualTo(n + 1);
                long[] repeated = new long[n * prompt.length];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(prompt, 0, repeated, i * prompt.length, prompt.length);
                }
                KvCache reference = model.newKvCache(n, 16);
                model.forwardLast(Tensor.ofLongs(repeated, n, prompt.length), null, null, reference);
                Tensor next = Tensor.ofLongs(new long[] {3, 50, 99}, n, 1);
                Tensor a = model.forwardLast(next, null, null, shared);
                Tensor b = model.forwardLast(next, null, null, reference);
                assertThat(TestModels.maxAbsDiff(a.toFloatArray(), b.toFloatArray())).isLessThanOrEqualTo(1e-5);
                // The prompt's last block was partial: every repeated row now owns a copy of it.
                assertThat(shared.blockTable(0)[2]).isNotEqualTo(one.blockTable(0)[2]);
                assertThat(shared.blockTable(0)[0]).isEqualTo(one.blockTable(0)[0]);
                assertThat(pool.refCount(one.blockTable(0)[2])).isEqualTo(1);
            }
            assertThat(pool.freeBlocks()).isEqualTo(20 - 3);
        }
        assertThat(pool.freeBlocks()).isEqualTo(20);
    }

    private static Tensor maskWithOnes(long[] prompt, int rows, int width, int extra) {
        int cols = width + extra;
        long[] m = new long[rows * cols];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(prompt, b * width, m, b * cols, width);
            java.util.Arrays.fill(m, b * cols + width, (b + 1) * cols, 1);
        }
        return Tensor.ofLongs(m, rows, cols);
    }
}
