package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class ReductionsTest {

    private final Tensor x = Tensor.of(new float[] {1, 5, 3, 4, 2, 6}, 2, 3);

    @Test
    void sumMeanMaxMinAlongDims() {
        assertThat(x.sum().item()).isEqualTo(21);
        assertThat(x.sum(0, false).toFloatArray()).containsExactly(5, 7, 9);
        assertThat(x.sum(-1, true).shape()).containsExactly(2, 1);
        assertThat(x.mean(1, false).toFloatArray()).containsExactly(3, 4);
        assertThat(x.max(1, false).toFloatArray()).containsExactly(5, 6);
        assertThat(x.min(0, false).toFloatArray()).containsExactly(1, 2, 3);
        assertThat(x.max().item()).isEqualTo(6);
        assertThat(x.sum(new int[] {0, 1}, true).shape()).containsExactly(1, 1);
    }

    @Test
    void varianceUsesBesselsCorrection() {
        // row 0: 1, 5, 3 -> mean 3, squared deviations 4+4+0 = 8
        assertThat(x.var(1, false).toDoubleArray()[0]).isCloseTo(4.0, within(1e-6));
        assertThat(x.var(new int[] {1}, 0, false).toDoubleArray()[0]).isCloseTo(8.0 / 3, within(1e-6));
    }

    @Test
    void sumToUndoesBroadcast() {
        Tensor g = Tensor.ones(io.rlhf4j.engine.DType.F32, 4, 2, 3);
        assertThat(g.sumTo(2, 1).toFloatArray()).containsExactly(12, 12);
        assertThat(g.sumTo(3).toFloatArray()).containsExactly(8, 8, 8);
    }

    @Test
    void gradients() {
        Tensor a = randomInput(3, 2, 3, 4);
        check(t -> t[0].sum(new int[] {0, 2}, false), a);
        check(t -> t[0].mean(1, true), a);
        check(t -> t[0].max(2, false), a);
        check(t -> t[0].min(0, true), a);
        check(t -> t[0].var(new int[] {1, 2}, 1, false), a);
        check(t -> t[0].sum(), a);
    }

    @Test
    void maxGradientIsSharedAmongTies() {
        Tensor a = Tensor.of(new double[] {2, 2, 1}, 3).requiresGrad(true);
        a.max(0, false).backward();
        assertThat(a.grad().toDoubleArray()).containsExactly(0.5, 0.5, 0.0);
    }
}
