package io.rlhf4j.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** x·Wᵀ with a BF16 weight ({@link LinearBf16}, kernel io.rlhf4j.engine.cpu.Bf16Gemv) against a double reference. */
class LinearBf16Test {

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return out;
    }

    /**
     * The reference is Σ x·w in double over the weight's BF16 values (as the BF16 conversion gives
     * them back); F32 accumulation of k products then errs by at most γ_k·Σ|x·w| ≈ k·2⁻²⁴·Σ|x·w|
     * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
     */
    @ParameterizedTest
    @CsvSource({"1, 1, 1", "1, 37, 5", "3, 37, 64", "2, 1000, 67", "2, 41, 95", "1, 600, 576", "8, 9, 1536"})
    void matchesDoubleReferenceOverBf16Weights(int m, int n, int k) {
        float[] x = random(1, m * k);
        Tensor w = Tensor.of(random(2, n * k), n, k).to(DType.BF16);
        float[] wv = w.to(DType.F32).toFloatArray();
        Tensor y = F.linearBf16(Tensor.of(x, m, k), w);

        assertThat(y.shape()).containsExactly(m, n);
        assertThat(y.dtype()).isEqualTo(DType.F32);
        float[] yv = y.toFloatArray();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) x[i * k + p] * wv[j * k + p];
                    sum += t;
                    abs += Math.abs(t);
                }
                assertThat(Math.abs(yv[i * n + j] - sum)).as("y[%d, %d]", i, j)
                        .isLessThanOrEqualTo(k * 0x1p-24 * abs + 1e-30);
            }
        }
    }

    /** Each element is computed the same way whichever worker's rows it falls in: a slice of W gives the same bits. */
    @Test
    void resultsDoNotDependOnHowRowsAreSplit() {
        int k = 67;
        Tensor x = Tensor.of(random(3, 2 * k), 2, k);
        Tensor w = Tensor.of(random(4, 1001 * k), 1001, k).to(DType.BF16);
        float[] all = F.linearBf16(x, w).toFloatArray();
        for (int[] cut : new int[][] {{0, 3}, {497, 502}, {998, 1001}}) {
            int rows = cut[1] - cut[0];
            float[] part = F.linearBf16(x, w.narrow(0, cut[0], rows)).toFloatArray();
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < rows; j++) {
                    assertThat(part[i * rows + j]).isEqualTo(all[i * 1001 + cut[0] + j]);
                }
            }
        }
    }

    @Test
    void keepsLeadingShapeAndRejectsBadOperands() {
        Tensor w = Tensor.of(random(5, 4 * 3), 4, 3).to(DType.BF16);
        assertThat(F.linearBf16(Tensor.of(random(6, 2 * 1 * 3), 2, 1, 3), w).shape()).containsExactly(2, 1, 4);
        assertThatThrownBy(() -> F.linearBf16(Tensor.of(random(6, 2), 1, 2), w))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 2]");
        assertThatThrownBy(() -> F.linearBf16(Tensor.of(random(6, 3), 1, 3), w.to(DType.F32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BF16");
        assertThatThrownBy(() -> F.linearBf16(Tensor.of(random(6, 3), 1, 3).requiresGrad(true), w))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inference-only");
    }
}
