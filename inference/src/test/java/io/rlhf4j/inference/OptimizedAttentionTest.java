package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import org.junit.jupiter.api.Test;

/** The paged kernel against the engine's attention on the same keys and values held contiguously. */
class OptimizedAttentionTest {

    private static Tensor normal(Generator g, int... shape) {
        return g.normal(shape, 0, 1, DType.F32);
    }

    @Test
    void pagedAttentionEqualsScaledDotProductAttention() {
        Generator g = Generator.seed(3);
        int batch = 3;
        int heads = 4;
        int kvHeads = 2;
        int dim = 8;
        KvBlockPool pool = new KvBlockPool(2, kvHeads, dim, 3, 40, DType.F32);
        // Left padding: row 1 starts at position 2, row 2 at position 6 (so its first queries see no key).
        long[] mask = new long[batch * 11];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < 11; j++) {
                mask[b * 11 + j] = j >= new int[] {0, 2, 6}[b] ? 1 : 0;
            }
        }
        try (var _ = Grad.disabled(); var _ = Memory.scope(); var cache = new PagedKVCache(pool, batch)) {
            Tensor keys = Tensor.zeros(DType.F32, batch, kvHeads, 0, dim);
            Tensor values = keys;
            int[][] steps = {{0, 7}, {7, 1}, {8, 3}};
            for (int[] step : steps) {
                int past = step[0];
                int t = step[1];
                Tensor q = normal(g, batch, heads, t, dim);
                Tensor k = normal(g, batch, kvHeads, t, dim);
                Tensor v = normal(g, batch, kvHeads, t, dim);
                Tensor m = Tensor.ofLongs(mask, batch, 11).narrow(1, 0, past + t).contiguous();
                keys = Tensor.cat(java.util.List.of(keys, k), 2);
                values = Tensor.cat(java.util.List.of(values, v), 2);
                for (int layer = 0; layer < 2; layer++) {
                    Tensor paged = cache.attend(layer, q, k, v, m);
                    Tensor expected = F.scaledDotProductAttention(q, keys, values, m, true);
                    assertThat(paged.shape()).containsExactly(batch, heads, t, dim);
                    double delta = TestModels.maxAbsDiff(paged.contiguous().toFloatArray(),
                            expected.contiguous().toFloatArray());
                    assertThat(delta).as("step at %d, layer %d", past, layer).isLessThanOrEqualTo(2e-6);
                    if (past == 0) {
                        // Row 2's first six queries see only padding: output 0.
                        assertThat(paged.narrow(0, 2, 1).narrow(2, 0, 6).contiguous().toFloatArray()).containsOnly(0f);
                        assertThat(paged.narrow(0, 2, 1).narrow(2, 6, 1).contiguous().toFloatArray()).doesNotContain(0f);
                    }
                }
                cache.advance(t);
            }
            assertThat(cache.blockTable(0)).hasSize(4);
        }
        assertThat(pool.freeBlocks()).isEqualTo(40);
    }

    @Test
    void shapesAreChecked() {
        KvBlockPool pool = new KvBlockPool(1, 2, 4, 2, 4, DType.F32);
        try (var _ = Memory.scope()) {
            Tensor q = Tensor.zeros(DType.F32, 1, 3, 1, 4);
            assertThatThrownBy(() -> OptimizedAttention.paged(q, pool, 0, new int[][] {{0}}, 1, null, Double.NaN))
                    .hasMessageContaining("[1, 3, 1, 4]").hasMessageContaining("2 key/value heads");
            Tensor q2 = Tensor.zeros(DType.F32, 1, 2, 1, 4);
            assertThatThrownBy(() -> OptimizedAttention.paged(q2, pool, 0, new int[][] {{0}}, 1,
                    Tensor.ofLongs(new long[] {1, 1}, 1, 2), Double.NaN)).hasMessageContaining("key mask must be [1, 1]");
        }
    }
}
