package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.random.GeneratorState;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void zeroProbabilityOrEvaluationReturnsTheInput() {
        Tensor x = Tensor.ones(DType.F32, 4);
        Generator g = Generator.seed(1);
        GeneratorState s = g.state();
        assertThat(x.dropout(0, g, true)).isSameAs(x);
        assertThat(x.dropout(0.5, g, false)).isSameAs(x);
        assertThat(g.state()).isEqualTo(s);
    }

    @Test
    void dropsAboutPAndScalesSurvivors() {
        int n = 100_000;
        double p = 0.25;
        Tensor x = Tensor.full(2, DType.F32, n);
        float[] y = x.dropout(p, Generator.seed(3), true).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0) {
                zeros++;
            } else {
                assertThat(v).isEqualTo((float) (2 / (1 - p)));
            }
        }
        assertThat((double) zeros / n).isCloseTo(p, within(5 * Math.sqrt(p * (1 - p) / n)));
        assertThat(Tensor.ones(DType.F32, 10).dropout(1, Generator.seed(3), true).toFloatArray())
                .containsOnly(0f);
    }

    @Test
    void backwardUsesTheSameMask() {
        Tensor x = Tensor.full(3, DType.F32, 1000).requiresGrad(true);
        Tensor y = x.dropout(0.4, Generator.seed(5), true);
        y.sum().backward();
        float[] g = x.grad().toFloatArray();
        float[] v = y.toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertThat(g[i] * 3).isCloseTo(v[i], within(1e-5f));
        }
    }

    @Test
    void sameGeneratorStateGivesTheSameMaskInF32AndF64() {
        Tensor x = randomInput(1, 7, 9).detach();
        double[] a = x.dropout(0.3, Generator.seed(11), true).toDoubleArray();
        double[] b = x.to(DType.F32).dropout(0.3, Generator.seed(11), true).toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i] == 0).isEqualTo(b[i] == 0);
            assertThat(b[i]).isCloseTo(a[i], within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesWithAFixedMask() {
        Generator g = Generator.seed(2);
        GeneratorState fixed = g.state();
        check(in -> {
            g.restore(fixed);
            return in[0].dropout(0.5, g, true).mul(in[0]);
        }, randomInput(3, 4, 5));
    }
}
