package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcatCumSumTest {

    @Test
    void catAndStackLayOutInputsInOrder() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {5, 6}, 2, 1);
        assertThat(Tensor.cat(List.of(a, b), 1).toFloatArray()).containsExactly(1, 2, 5, 3, 4, 6);
        assertThat(Tensor.cat(List.of(a, a), 0).shape()).containsExactly(4, 2);
        Tensor s = Tensor.stack(List.of(a, a.mul(10)), 1);
        assertThat(s.shape()).containsExactly(2, 2, 2);
        assertThat(s.toFloatArray()).containsExactly(1, 2, 10, 20, 3, 4, 30, 40);
        assertThatThrownBy(() -> Tensor.cat(List.of(a, b), 0)).hasMessageContaining("tensor 1").hasMessageContaining("[2, 1]");
    }

    @Test
    void splitAndChunkFollowTorchSizes() {
        Tensor x = Tensor.arange(5);
        assertThat(x.chunk(3, 0)).extracting(t -> t.shape(0)).containsExactly(2, 2, 1);
        assertThat(Tensor.arange(6).chunk(4, 0)).extracting(t -> t.shape(0)).containsExactly(2, 2, 2);
        List<Tensor> parts = x.split(2, 0);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(2).toLongArray()).containsExactly(4);
        assertThat(parts.get(1).toLongArray()).containsExactly(2, 3);
    }

    @Test
    void catStackSplitGradients() {
        Tensor a = randomInput(1, 2, 3);
        Tensor b = randomInput(2, 2, 2);
        check(t -> Tensor.cat(List.of(t[0], t[1], t[0]), 1), a, b);
        check(t -> Tensor.stack(List.of(t[0], t[0].mul(2)), 2), a);
        check(t -> {
            List<Tensor> p = t[0].chunk(2, 1);
            return p.get(0).mul(p.get(0)).sum(1, false).add(p.get(1).sum(1, false));
        }, a);
    }

    @Test
    void cumsumValuesAndGradient() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(x.cumsum(1).toFloatArray()).containsExactly(1, 3, 6, 4, 9, 15);
        assertThat(x.cumsum(0).toFloatArray()).containsExactly(1, 2, 3, 5, 7, 9);
        Tensor y = Tensor.of(new double[] {1, 1, 1}, 3).requiresGrad(true);
        y.cumsum(0).sum().backward();
        assertThat(y.grad().toDoubleArray()).containsExactly(3, 2, 1);
        Tensor r = randomInput(3, 3, 4, 2);
        for (int d = 0; d < 3; d++) {
            int dim = d;
            check(t -> t[0].cumsum(dim), r);
        }
    }
}
