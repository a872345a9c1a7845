package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import org.junit.jupiter.api.Test;

/**
 * F.linear (x·Wᵀ with its own backward) and the embedding backward, which add an F32 leaf weight's
 * gradient straight into its buffer: against the same gradients computed by matmul / select with
 * the weight behind a view (no sink), and finite differences.
 */
class LinearTest {

    private static Tensor f32(long seed, int... shape) {
        return randomInput(seed, shape).detach().to(DType.F32);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        check(t -> F.linear(t[0], t[1]), randomInput(1, 2, 3, 4), randomInput(2, 5, 4));
    }

    @Test
    void weightGradientAddsIntoTheLeafBufferAcrossCalls() {
        Tensor x = f32(3, 2, 7, 6);
        Tensor w = f32(4, 5, 6).requiresGrad(true);
        Tensor g = f32(5, 2, 7, 5);
        Tensor reference = w.detach().requiresGrad(true);
        try (var s = Memory.scope()) {
            F.linear(x, w).backward(g);
            F.linear(x, w).backward(g);
            // a view in between: matmul hands the gradient back through the graph instead
            x.matmul(reference.mul(1).mT()).backward(g);
            x.matmul(reference.mul(1).mT()).backward(g);
        }
        float[] got = w.grad().toFloatArray();
        float[] want = reference.grad().toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as("dW[%d]", i).isCloseTo(want[i], within(1e-4f * (1 + Math.abs(want[i]))));
        }
        assertThat(want[0]).isNotZero();
    }

    @Test
    void inputGradientIsG_times_W() {
        Tensor x = f32(6, 3, 4).requiresGrad(true);
        Tensor w = f32(7, 2, 4);
        Tensor g = f32(8, 3, 2);
        F.linear(x, w).backward(g);
        assertThat(x.grad().toFloatArray()).containsExactly(g.matmul(w).toFloatArray());
    }

    @Test
    void embeddingAddsRepeatedIdsIntoTheLeafBuffer() {
        Tensor w = f32(9, 6, 3).requiresGrad(true);
        Tensor ids = Tensor.ofLongs(new long[] {4, 1, 4, 0}, 2, 2);
        Tensor g = f32(10, 2, 2, 3);
        Tensor.embedding(w, ids).backward(g);
        float[] gv = g.toFloatArray();
        float[] grad = w.grad().toFloatArray();
        for (int c = 0; c < 3; c++) {
            assertThat(grad[4 * 3 + c]).isEqualTo(0f + gv[c] + gv[2 * 3 + c]);
            assertThat(grad[3 + c]).isEqualTo(gv[3 + c]);
            assertThat(grad[c]).isEqualTo(gv[3 * 3 + c]);
            assertThat(grad[2 * 3 + c]).isZero();
        }
    }
}
