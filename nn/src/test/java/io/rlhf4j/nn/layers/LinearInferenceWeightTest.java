package io.rlhf4j.nn.layers;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Linear#prepareForInference}: which products read the BF16 snapshot, and what they give. */
class LinearInferenceWeightTest {

    private static final int IN = 70;
    private static final int OUT = 45;

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }

    private static Linear layer() {
        Linear lin = new Linear(IN, OUT, true, DType.F32);
        lin.loadStateDict(Map.of("weight", Tensor.of(random(1, OUT * IN), OUT, IN),
                "bias", Tensor.of(random(2, OUT), OUT)), true);
        return lin;
    }

    private static float[] forward(Linear lin, Tensor x, boolean grad) {
        try (var _ = grad ? Grad.enabled() : Grad.disabled()) {
            return lin.forward(x).toFloatArray();
        }
    }

    /** A no-grad row reads the weight rounded to BF16: y = b + Σ x·bf16(W), to F32 accumulation error. */
    @Test
    void fewRowsWithoutGradUseTheBf16Weight() {
        Linear lin = layer();
        float[] w = lin.weight().tensor().to(DType.BF16).to(DType.F32).toFloatArray();
        float[] b = lin.bias().tensor().toFloatArray();
        float[] x = random(3, 2 * IN);
        float[] exact = forward(lin, Tensor.of(x, 2, IN), false);
        lin.prepareForInference(DType.BF16);
        float[] y = forward(lin, Tensor.of(x, 2, IN), false);

        assertThat(y).isNotEqualTo(exact);
        for (int r = 0; r < 2; r++) {
            for (int o = 0; o < OUT; o++) {
                double expected = b[o];
                double abs = Math.abs(b[o]);
                for (int i = 0; i < IN; i++) {
                    expected += (double) x[r * IN + i] * w[o * IN + i];
                    abs += Math.abs((double) x[r * IN + i] * w[o * IN + i]);
                }
                assertThat(Math.abs(y[r * OUT + o] - expected)).isLessThanOrEqualTo((IN + 1) * 0x1p-24 * abs);
            }
        }
        lin.prepareForInference(DType.F32);
        assertThat(forward(lin, Tensor.of(x, 2, IN), false)).containsExactly(exact);
    }

    /** With gradients on, or more rows than {@link Linear#INFERENCE_ROWS}, the F32 weight is read: bitwise the same. */
    @Test
    void gradOrManyRowsKeepTheF32Weight() {
        Linear lin = layer();
        int rows = Linear.INFERENCE_ROWS + 1;
        float[] many = random(4, rows * IN);
        float[] one = random(5, IN);
        float[] manyExact = forward(lin, Tensor.of(many, rows, IN), false);
        float[] oneExact = forward(lin, Tensor.of(one, 1, IN), true);
        lin.prepareForInference(DType.BF16);

        assertThat(forward(lin, Tensor.of(many, rows, IN), false)).containsExactly(manyExact);
        assertThat(forward(lin, Tensor.of(one, 1, IN), true)).containsExactly(oneExact);
    }
}
