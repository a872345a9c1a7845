package io.rlhf4j.nn.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Layer outputs against the formulas written out element by element. */
class LayersTest {

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }

    @Test
    void linearIsXTimesWeightTransposedPlusBias() {
        Linear lin = new Linear(3, 2, true, DType.F32);
        float[] w = random(1, 6);
        float[] b = random(2, 2);
        float[] x = random(3, 2 * 4 * 3);
        lin.loadStateDict(Map.of("weight", Tensor.of(w, 2, 3), "bias", Tensor.of(b, 2)), true);
        float[] y = lin.forward(Tensor.of(x, 2, 4, 3)).toFloatArray();
        for (int r = 0; r < 8; r++) {
            for (int o = 0; o < 2; o++) {
                double expected = b[o];
                for (int i = 0; i < 3; i++) {
                    expected += x[r * 3 + i] * w[o * 3 + i];
                }
                assertThat((double) y[r * 2 + o]).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void conv1dUsesTheWeightAsStoredInOut() {
        Conv1D conv = new Conv1D(3, 2, DType.F32);
        float[] w = random(4, 6);
        float[] b = random(5, 2);
        float[] x = random(6, 5 * 3);
        conv.loadStateDict(Map.of("weight", Tensor.of(w, 3, 2), "bias", Tensor.of(b, 2)), true);
        float[] y = conv.forward(Tensor.of(x, 5, 3)).toFloatArray();
        for (int r = 0; r < 5; r++) {
            for (int o = 0; o < 2; o++) {
                double expected = b[o];
                for (int i = 0; i < 3; i++) {
                    expected += x[r * 3 + i] * w[i * 2 + o];
                }
                assertThat((double) y[r * 2 + o]).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void gatedMlpIsDownOfSiluGateTimesUp() {
        GatedMlp mlp = new GatedMlp(2, 3, false, DType.F32);
        float[] g = random(7, 6);
        float[] u = random(8, 6);
        float[] d = random(9, 6);
        float[] x = random(10, 4 * 2);
        mlp.loadStateDict(Map.of("gate_proj.weight", Tensor.of(g, 3, 2), "up_proj.weight", Tensor.of(u, 3, 2),
                "down_proj.weight", Tensor.of(d, 2, 3)), true);
        float[] y = mlp.forward(Tensor.of(x, 4, 2)).toFloatArray();
        for (int r = 0; r < 4; r++) {
            double[] act = new double[3];
            for (int j = 0; j < 3; j++) {
                double gate = x[r * 2] * g[j * 2] + x[r * 2 + 1] * g[j * 2 + 1];
                double up = x[r * 2] * u[j * 2] + x[r * 2 + 1] * u[j * 2 + 1];
                act[j] = gate / (1 + Math.exp(-gate)) * up;
            }
            for (int o = 0; o < 2; o++) {
                double expected = act[0] * d[o * 3] + act[1] * d[o * 3 + 1] + act[2] * d[o * 3 + 2];
                assertThat((double) y[r * 2 + o]).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void gpt2MlpUsesTanhGelu() {
        Gpt2Mlp mlp = new Gpt2Mlp(1, 1, 0.1, 1, DType.F32);
        mlp.loadStateDict(Map.of("c_fc.weight", Tensor.of(new float[] {1}, 1, 1), "c_fc.bias", Tensor.of(new float[] {0}, 1),
                "c_proj.weight", Tensor.of(new float[] {1}, 1, 1), "c_proj.bias", Tensor.of(new float[] {0}, 1)), true);
        mlp.eval();
        double x = 1.5;
        double expected = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        assertThat(mlp.forward(Tensor.of(new float[] {(float) x}, 1, 1)).item()).isCloseTo(expected, within(1e-6));
    }

    @Test
    void rmsNormAndLayerNormStartAsPlainNormalisation() {
        float[] x = {1, 2, 3, 6};
        double rms = Math.sqrt((1 + 4 + 9 + 36) / 4.0 + 1e-6);
        assertThat(new RmsNorm(4, 1e-6, DType.F32).forward(Tensor.of(x, 1, 4)).get(0, 3)).isCloseTo(6 / rms, within(1e-6));
        double mean = 3;
        double std = Math.sqrt((4 + 1 + 0 + 9) / 4.0 + 1e-5);
        assertThat(new LayerNorm(4, 1e-5, DType.F32).forward(Tensor.of(x, 1, 4)).get(0, 0))
                .isCloseTo((1 - mean) / std, within(1e-6));
    }

    @Test
    void dropoutIsIdentityInEvalAndScalesKeptValuesInTraining() {
        Dropout drop = new Dropout(0.25, 42);
        Tensor x = Tensor.full(2, DType.F32, 10_000);
        float[] y = drop.forward(x).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            assertThat(v).isIn(0f, 2f / 0.75f);
            zeros += v == 0 ? 1 : 0;
        }
        assertThat(zeros).isBetween(2300, 2700);
        drop.eval();
        assertThat(drop.forward(x)).isSameAs(x);
    }

    @Test
    void linearWeightGradientIsSumOfInputRows() {
        Linear lin = new Linear(2, 1, false, DType.F32);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        lin.forward(x).sum().backward();
        assertThat(lin.weight().tensor().grad().toFloatArray()).containsExactly(9f, 12f);
    }
}
