package io.rlhf4j.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipTest {

    @Test
    void matchesTorchClipGradNorm() {
        for (JsonNode c : Fixtures.get("clip")) {
            JsonNode shapes = c.get("shapes");
            List<Tensor> params = new ArrayList<>();
            for (int i = 0; i < shapes.size(); i++) {
                Tensor p = Tensor.zeros(DType.F32, Fixtures.ints(shapes.get(i))).requiresGrad(true);
                p.setGrad(Fixtures.tensor(c.get("grads").get(i), shapes.get(i), DType.F32));
                params.add(p);
            }
            params.add(Tensor.zeros(DType.F32, 2).requiresGrad(true));
            double expectedNorm = c.get("total_norm").asDouble();
            double total = GradClip.clipGradNorm(params, c.get("max_norm").asDouble());
            assertThat(total).isCloseTo(expectedNorm, within(1e-6 * expectedNorm));
            for (int i = 0; i < shapes.size(); i++) {
                double[] expected = Fixtures.doubles(c.get("clipped").get(i));
                double[] actual = params.get(i).grad().toDoubleArray();
                for (int j = 0; j < expected.length; j++) {
                    assertThat(actual[j]).isCloseTo(expected[j], within(1e-6 * Math.max(1, Math.abs(expected[j]))));
                }
            }
        }
    }

    @Test
    void normIsExactOnAKnownVectorAndNoClipLeavesGradientsUntouched() {
        Tensor a = Tensor.zeros(DType.F64, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.F64, 1).requiresGrad(true);
        a.setGrad(Tensor.of(new double[] {3, 4}, 2));
        b.setGrad(Tensor.of(new double[] {12}, 1));
        assertThat(GradClip.clipGradNorm(List.of(a, b), 100)).isEqualTo(13);
        assertThat(a.grad().toDoubleArray()).containsExactly(3, 4);
        assertThat(GradClip.clipGradNorm(List.of(a, b), 6.5)).isEqualTo(13);
        double coef = 6.5 / (13 + 1e-6);
        assertThat(b.grad().toDoubleArray()[0]).isCloseTo(12 * coef, within(1e-15));
    }

    @Test
    void normOfALargeGradientSumsBlocksInAFixedOrder() {
        int n = 5 * GradClip.BLOCK + 17;
        double[] v = new double[n];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            v[i] = Math.sin(i) * 0.01;
        }
        for (int b = 0; b * GradClip.BLOCK < n; b++) {
            double acc = 0;
            for (int i = b * GradClip.BLOCK; i < Math.min(n, (b + 1) * GradClip.BLOCK); i++) {
                acc += v[i] * v[i];
            }
            expected += acc;
        }
        Tensor p = Tensor.zeros(DType.F64, n).requiresGrad(true);
        p.setGrad(Tensor.of(v, n));
        assertThat(GradClip.totalNorm(List.of(p))).isEqualTo(Math.sqrt(expected));
    }
}
