package io.rlhf4j.engine.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CpuRlKernels against formulas written out here in F64. */
class CpuRlKernelsTest {

    private final CpuRlKernels k = new CpuRlKernels();

    @Test
    void logSoftmaxGatherMatchesTheFormulaAndIgnoresOutOfRangeTargets() {
        int rows = 5;
        int v = 37;
        float[] x = random(1, rows * v, 8);
        int[] t = {3, -100, 36, 37, 0};
        RlKernels.LogProbs<Tensor> out = k.logSoftmaxGather(Tensor.of(x, rows, v), Tensor.ofInts(t, rows));
        float[] lp = out.logprob().toFloatArray();
        float[] lse = out.lse().toFloatArray();
        for (int r = 0; r < rows; r++) {
            double z = lse(x, r, v);
            assertThat(lse[r]).isCloseTo((float) z, within(1e-5f));
            double expected = t[r] >= 0 && t[r] < v ? x[r * v + t[r]] - z : 0;
            assertThat(lp[r]).as("row %d", r).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void logSoftmaxGatherBackwardMatchesTheFormulaInTheLogitsDtype() {
        int rows = 4;
        int v = 19;
        float[] x = random(2, rows * v, 4);
        int[] t = {0, 18, -1, 7};
        float[] g = {0.5f, -2f, 3f, 1f};
        Tensor logits = Tensor.of(x, rows, v);
        Tensor targets = Tensor.ofInts(t, rows);
        RlKernels.LogProbs<Tensor> fwd = k.logSoftmaxGather(logits, targets);
        float[] grad = k.logSoftmaxGatherBackward(logits, targets, fwd.lse(), Tensor.of(g, rows)).toFloatArray();
        for (int r = 0; r < rows; r++) {
            double z = lse(x, r, v);
            for (int j = 0; j < v; j++) {
                double expected = t[r] < 0 ? 0 : g[r] * ((j == t[r] ? 1 : 0) - Math.exp(x[r * v + j] - z));
                assertThat(grad[r * v + j]).as("[%d, %d]", r, j).isCloseTo((float) expected, within(1e-6f));
            }
        }
        Tensor bf = logits.to(DType.BF16);
        assertThat(k.logSoftmaxGatherBackward(bf, targets, fwd.lse(), Tensor.of(g, rows)).dtype()).isEqualTo(DType.BF16);
    }

    @Test
    void maskedMeanStatsAndBackward() {
        float[] x = {1, 2, Float.NEGATIVE_INFINITY, 4};
        float[] m = {1, 1, 0, 0.5f};
        RlKernels.Reduced<Tensor> r = k.maskedMean(Tensor.of(x, 4), Tensor.of(m, 4));
        assertThat(r.stats().toFloatArray()).containsExactly(5f / 2.5f, 2.5f, 5f);
        assertThat(r.perToken()).isNull();
        float[] g = k.maskedMeanBackward(Tensor.of(m, 4), Tensor.of(new float[] {2}, 1), r.stats()).toFloatArray();
        assertThat(g).containsExactly(0.8f, 0.8f, 0f, 0.4f);
        RlKernels.Reduced<Tensor> none = k.maskedMean(Tensor.of(x, 4), Tensor.of(new float[4], 4));
        assertThat(none.stats().toFloatArray()).containsExactly(0f, 0f, 0f);
    }

    @Test
    void klK3PerTokenAndMean() {
        float[] logp = {-1f, -2f, -0.5f};
        float[] ref = {-1.5f, -1f, -0.5f};
        float[] m = {1, 1, 0};
        RlKernels.Reduced<Tensor> r = k.kl(KlEstimators.Kind.K3, Tensor.of(logp, 3), Tensor.of(ref, 3), Tensor.of(m, 3), true);
        double k0 = Math.exp(-0.5) - 1 + 0.5;
        double k1 = Math.exp(1.0) - 1 - 1.0;
        assertThat(r.perToken().toFloatArray()).containsExactly((float) k0, (float) k1, 0f);
        assertThat(r.stats().toFloatArray()[0]).isCloseTo((float) ((k0 + k1) / 2), within(1e-7f));
    }

    @Test
    void gaeOnOneSequence() {
        float[] rew = {0, 0, 1};
        float[] val = {0.5f, 0.25f, 0.125f};
        float[] mask = {1, 1, 1};
        RlKernels.Advantages<Tensor> a = k.gae(Tensor.of(rew, 1, 3), Tensor.of(val, 1, 3), Tensor.of(mask, 1, 3), 1f, 1f);
        // γ = λ = 1: A_t = Σ_{s ≥ t} r_s − v_t
        assertThat(a.advantages().toFloatArray()).containsExactly(0.5f, 0.75f, 0.875f);
        assertThat(a.returns().toFloatArray()).containsExactly(1f, 1f, 1f);
    }

    private static double lse(float[] x, int r, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            max = Math.max(max, x[r * v + j]);
        }
        double s = 0;
        for (int j = 0; j < v; j++) {
            s += Math.exp(x[r * v + j] - max);
        }
        return max + Math.log(s);
    }

    private static float[] random(long seed, int n, double scale) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * scale);
        }
        return x;
    }
}
