package io.rlhf4j.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {

    @Test
    void tiesGoToTheLowerIndexAndNaNRanksHighest() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 2, 3, 0, 3}, 7);
        TopK.Result r = x.topk(3, 0, true);
        assertThat(r.values().toFloatArray()).containsExactly(3, 3, 3);
        assertThat(r.indices().toLongArray()).containsExactly(1, 2, 4);
        assertThat(x.topk(2, 0, false).indices().toLongArray()).containsExactly(5, 0);
        Tensor withNaN = Tensor.of(new float[] {1, Float.NaN, 2}, 3);
        assertThat(withNaN.topk(2, 0, true).indices().toLongArray()).containsExactly(1, 2);
        assertThat(withNaN.topk(2, 0, false).indices().toLongArray()).containsExactly(0, 2);
        assertThat(withNaN.argmax(0, false).item()).isEqualTo(1);
        assertThat(withNaN.argmin(0, true).shape()).containsExactly(1);
        assertThat(Tensor.of(new float[] {0, 4, 1, 4}, 2, 2).argmax().item()).isEqualTo(1);
    }

    @Test
    void topkOfALongRowMatchesAFullSort() {
        int n = 50_000;
        Random rnd = new Random(5);
        float[] v = new float[2 * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(1000);
        }
        Tensor x = Tensor.of(v, 2, n);
        TopK.Result r = x.topk(40, 1, true);
        assertThat(r.values().shape()).containsExactly(2, 40);
        for (int row = 0; row < 2; row++) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            int base = row * n;
            Arrays.sort(order, (a, b) -> v[base + a] != v[base + b] ? Float.compare(v[base + b], v[base + a]) : a - b);
            for (int j = 0; j < 40; j++) {
                assertThat(r.indices().getLong(row, j)).isEqualTo(order[j].longValue());
            }
        }
        assertThat(x.sort(1, false).indices().getLong(0, 0)).isEqualTo(
                (long) x.narrow(0, 0, 1).argmin(1, false).getLong(0));
    }
}
