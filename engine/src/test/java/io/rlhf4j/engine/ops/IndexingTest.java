package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class IndexingTest {

    @Test
    void gatherPicksAlongTheDimension() {
        Tensor x = Tensor.of(new float[] {10, 11, 12, 20, 21, 22}, 2, 3);
        Tensor idx = Tensor.ofInts(new int[] {2, 2, 0, 1}, 2, 2);
        assertThat(x.gather(1, idx).toFloatArray()).containsExactly(12, 12, 20, 21);
        Tensor rows = Tensor.ofLongs(new long[] {1, 0, 1}, 1, 3);
        assertThat(x.gather(0, rows).toFloatArray()).containsExactly(20, 11, 22);
        assertThatThrownBy(() -> x.gather(1, Tensor.ofLongs(new long[] {3}, 1, 1)))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("index 3").hasMessageContaining("size 3");
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        Tensor self = Tensor.zeros(DType.F32, 2, 3);
        Tensor idx = Tensor.ofLongs(new long[] {0, 0, 2, 1, 1, 1}, 2, 3);
        Tensor src = Tensor.of(new float[] {1, 2, 4, 8, 16, 32}, 2, 3);
        assertThat(self.scatterAdd(1, idx, src).toFloatArray()).containsExactly(3, 0, 4, 0, 56, 0);
    }

    @Test
    void gatherAndScatterGradientsWithRepeatedIndices() {
        Tensor x = randomInput(1, 3, 4);
        Tensor idx = Tensor.ofLongs(new long[] {1, 1, 3, 0, 2, 2, 2, 2}, 2, 4);
        check(t -> t[0].gather(1, idx), x);
        Tensor idx0 = Tensor.ofLongs(new long[] {2, 2, 0, 2}, 1, 4);
        check(t -> t[0].gather(0, idx0), x);
        Tensor src = randomInput(2, 2, 4);
        check(t -> t[0].scatterAdd(1, idx, t[1]), x, src);
    }

    @Test
    void indexSelectAndItsGradientWithRepeats() {
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 2}, 3);
        assertThat(x.indexSelect(0, idx).toFloatArray()).containsExactly(4, 5, 0, 1, 4, 5);
        assertThat(x.indexSelect(1, Tensor.ofLongs(new long[] {1, 1}, 2)).toFloatArray()).containsExactly(1, 1, 3, 3, 5, 5);
        Tensor w = randomInput(3, 4, 3, 2);
        check(t -> t[0].indexSelect(1, Tensor.ofLongs(new long[] {2, 0, 2, 2}, 4)), w);
        check(t -> t[0].indexSelect(0, Tensor.ofLongs(new long[] {3, 3, 1}, 3)), w);
        check(t -> t[0].indexSelect(-1, Tensor.ofLongs(new long[] {1, 1, 0}, 3)), w);
    }

    @Test
    void embeddingShapesValuesGradientAndErrors() {
        Tensor w = Tensor.of(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
        Tensor ids = Tensor.ofLongs(new long[] {2, 0, 2, 1}, 2, 2);
        Tensor e = Tensor.embedding(w, ids);
        assertThat(e.shape()).containsExactly(2, 2, 2);
        assertThat(e.toFloatArray()).containsExactly(20, 21, 0, 1, 20, 21, 10, 11);
        Tensor w64 = randomInput(5, 4, 3);
        check(t -> Tensor.embedding(t[0], Tensor.ofInts(new int[] {3, 1, 3, 3, 0, 1}, 3, 2)), w64);
        assertThatThrownBy(() -> Tensor.embedding(w, Tensor.ofLongs(new long[] {1, 7}, 2)))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("token id 7").hasMessageContaining("vocab size 3");
    }

    @Test
    void embeddingGradientAddsRepeatedRowsInTokenOrder() {
        int hidden = 1000;
        float[] g = new float[3 * hidden];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) Math.sin(i * 0.37) * (i % 7 == 0 ? 1e7f : 1f);
        }
        Tensor w = Tensor.zeros(DType.F32, 4, hidden).requiresGrad(true);
        Tensor.embedding(w, Tensor.ofLongs(new long[] {1, 1, 1}, 3)).backward(Tensor.of(g, 3, hidden));
        float[] grad = w.grad().toFloatArray();
        for (int k = 0; k < hidden; k++) {
            float expected = ((0f + g[k]) + g[hidden + k]) + g[2 * hidden + k];
            assertThat(grad[hidden + k]).as("column %d", k).isEqualTo(expected);
            assertThat(grad[k]).isEqualTo(0f);
        }
    }

    @Test
    void whereAndMaskedFillSelectWithBroadcasting() {
        Tensor cond = Tensor.ofInts(new int[] {1, 0, 1}, 3);
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {-1, -2}, 2, 1);
        assertThat(Tensor.where(cond, a, b).toFloatArray()).containsExactly(1, -1, 3, 4, -2, 6);
        Tensor mask = a.gt(3);
        assertThat(mask.dtype()).isEqualTo(DType.BOOL);
        assertThat(a.maskedFill(mask, Double.NEGATIVE_INFINITY).toFloatArray())
                .containsExactly(1, 2, 3, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> a.maskedFill(Tensor.ones(DType.BOOL, 3, 3), 0)).hasMessageContaining("[3, 3]");
    }

    @Test
    void whereAndMaskedFillGradients() {
        Tensor cond = Tensor.of(new float[] {1, 0, 0, 1}, 4).gt(0.5);
        Tensor a = randomInput(6, 3, 4);
        Tensor b = randomInput(7, 3, 1);
        check(t -> Tensor.where(cond, t[0], t[1]), a, b);
        check(t -> t[0].maskedFill(cond, 5), a);
    }

    @Test
    void comparisonsBroadcastHandleNaNAndCompareIdsExactly() {
        Tensor x = Tensor.of(new float[] {1, 2, Float.NaN}, 3);
        Tensor y = Tensor.of(new float[] {2, 2, Float.NaN}, 3);
        assertThat(x.eq(y).toLongArray()).containsExactly(0, 1, 0);
        assertThat(x.ne(y).toLongArray()).containsExactly(1, 0, 1);
        assertThat(x.lt(y).toLongArray()).containsExactly(1, 0, 0);
        assertThat(x.le(y).toLongArray()).containsExactly(1, 1, 0);
        assertThat(x.gt(1).toLongArray()).containsExactly(0, 1, 0);
        assertThat(x.ge(1).toLongArray()).containsExactly(1, 1, 0);
        Tensor col = Tensor.of(new float[] {1, 2}, 2, 1);
        assertThat(x.eq(col).shape()).containsExactly(2, 3);
        assertThat(x.eq(col).toLongArray()).containsExactly(1, 0, 0, 0, 1, 0);
        long big = (1L << 60) + 1;
        Tensor ids = Tensor.ofLongs(new long[] {big, 1L << 60}, 2);
        assertThat(ids.eq(Tensor.ofLongs(new long[] {big}, 1)).toLongArray()).containsExactly(1, 0);
        assertThat(x.eq(y).logicalNot().toLongArray()).containsExactly(1, 0, 1);
        assertThat(x.gt(1).logicalAnd(x.lt(3)).toLongArray()).containsExactly(0, 1, 0);
        assertThat(x.lt(2).logicalOr(x.ne(x)).toLongArray()).containsExactly(1, 0, 1);
    }
}
