package io.rlhf4j.engine.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void gradientsAccumulateAcrossBackwardCallsAndReuseOfATensor() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        x.mul(x).sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(2, 4);
        x.mul(3).sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(5, 7);
        x.zeroGrad();
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 0);
    }

    @Test
    void detachAndDisabledGradStopRecording() {
        Tensor x = Tensor.of(new double[] {3}, 1).requiresGrad(true);
        assertThat(x.detach().mul(2).requiresGrad()).isFalse();
        try (var g = Grad.disabled()) {
            assertThat(x.mul(2).requiresGrad()).isFalse();
        }
        assertThat(x.mul(2).requiresGrad()).isTrue();
        Tensor y = x.mul(x.detach());
        y.sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(3);
    }

    @Test
    void backwardOnATensorWithoutGraphExplains() {
        assertThatThrownBy(() -> Tensor.of(new double[] {1}, 1).sum().backward())
                .hasMessageContaining("does not require grad");
        assertThatThrownBy(() -> Tensor.of(new double[] {1, 2}, 2).requiresGrad(true).mul(2).backward())
                .hasMessageContaining("scalar");
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.add(1e-3);
        }
        y.sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(1);
    }
}
