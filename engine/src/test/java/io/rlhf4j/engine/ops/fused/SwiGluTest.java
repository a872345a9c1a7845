package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInRange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** The fused SwiGLU gate against silu(a)·b written out elementwise, and finite differences. */
class SwiGluTest {

    @Test
    void valuesMatchTheFormula() {
        // Past the vector width and with a tail, from saturated negative to saturated positive gates.
        Tensor a = randomInRange(1, -30, 30, 3, 37);
        Tensor b = randomInRange(2, -2, 2, 3, 37);
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i] / (1 + Math.exp(-x[i])) * y[i];
        }
        Tensor want = Tensor.of(expected, 3, 37);
        assertClose(F.swiglu(a, b), want, 1e-12, 1e-12, "F64");
        assertClose(F.swiglu(a.to(DType.F32), b.to(DType.F32)), want.to(DType.F32), 1e-6, 1e-6, "F32");
    }

    @Test
    void f32GradientsMatchF64() {
        Tensor a = randomInRange(3, -8, 8, 5, 33);
        Tensor b = randomInRange(4, -2, 2, 5, 33);
        Tensor g = randomInRange(5, -1, 1, 5, 33);
        Tensor[] f64 = grads(a, b, g);
        Tensor[] f32 = grads(a.to(DType.F32), b.to(DType.F32), g.to(DType.F32));
        assertClose(f32[0], f64[0].to(DType.F32), 1e-5, 1e-6, "d gate");
        assertClose(f32[1], f64[1].to(DType.F32), 1e-5, 1e-6, "d up");
        assertThat(f32[0].toFloatArray()).doesNotContain(Float.NaN);
    }

    private static Tensor[] grads(Tensor a, Tensor b, Tensor g) {
        Tensor ra = a.detach().requiresGrad(true);
        Tensor rb = b.detach().requiresGrad(true);
        F.swiglu(ra, rb).backward(g);
        return new Tensor[] {ra.grad(), rb.grad()};
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        check(t -> F.swiglu(t[0], t[1]), randomInRange(6, -4, 4, 2, 3, 5), randomInRange(7, -2, 2, 2, 3, 5));
    }

    @Test
    void gradientsMatchTheUnfusedComposition() {
        Tensor a = randomInRange(8, -4, 4, 4, 9).requiresGrad(true);
        Tensor b = randomInRange(9, -2, 2, 4, 9).requiresGrad(true);
        F.swiglu(a, b).square().sum().backward();
        Tensor a2 = a.detach().requiresGrad(true);
        Tensor b2 = b.detach().requiresGrad(true);
        a2.silu().mul(b2).square().sum().backward();
        assertClose(a.grad(), a2.grad(), 1e-12, 1e-12, "d gate");
        assertClose(b.grad(), b2.grad(), 1e-12, 1e-12, "d up");
    }

    @Test
    void rejectsShapesThatDiffer() {
        assertThatThrownBy(() -> F.swiglu(Tensor.zeros(DType.F32, 2, 3), Tensor.zeros(DType.F32, 3)))
                .hasMessageContaining("same shape");
    }
}
