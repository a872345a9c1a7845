package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInRange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

    @Test
    void negativeInfinityEntriesGiveExactZerosAndFullyMaskedRowsGiveNaNLikeTorch() {
        float ninf = Float.NEGATIVE_INFINITY;
        // 40 columns so both the vector body and the scalar tail see -inf entries
        float[] v = new float[2 * 40];
        for (int i = 0; i < 40; i++) {
            v[i] = i % 3 == 0 ? ninf : i * 0.1f;
            v[40 + i] = ninf;
        }
        Tensor x = Tensor.of(v, 2, 40);
        float[] p = x.softmax(-1).toFloatArray();
        float[] lp = x.logSoftmax(-1).toFloatArray();
        float[] lse = x.logsumexp(-1, false).toFloatArray();
        double sum = 0;
        for (int i = 0; i < 40; i++) {
            if (i % 3 == 0) {
                assertThat(p[i]).as("softmax at -inf entry %d", i).isEqualTo(0f);
                assertThat(lp[i]).isEqualTo(Float.NEGATIVE_INFINITY);
            }
            sum += p[i];
            assertThat(p[40 + i]).isNaN();
            assertThat(lp[40 + i]).isNaN();
        }
        assertThat(sum).isCloseTo(1.0, within(1e-6));
        assertThat(lse[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void longF32RowsMatchADoubleFormula() {
        int rows = 3;
        int cols = 32_007;
        Random r = new Random(7);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 4);
        }
        Tensor x = Tensor.of(v, rows, cols);
        float[] p = x.softmax(1).toFloatArray();
        float[] lp = x.logSoftmax(1).toFloatArray();
        float[] lse = x.logsumexp(1, true).toFloatArray();
        for (int row = 0; row < rows; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < cols; i++) {
                max = Math.max(max, v[row * cols + i]);
            }
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += Math.exp(v[row * cols + i] - max);
            }
            double logZ = max + Math.log(s);
            assertThat(lse[row]).isCloseTo((float) logZ, within(1e-5f));
            for (int i = 0; i < cols; i += 101) {
                double ref = Math.exp(v[row * cols + i] - logZ);
                assertThat((double) p[row * cols + i]).isCloseTo(ref, within(1e-9 + 1e-5 * ref));
                assertThat((double) lp[row * cols + i]).isCloseTo(v[row * cols + i] - logZ,
                        within(2e-5));
            }
        }
    }

    @Test
    void f32BackwardKernelsMatchF64() {
        Tensor x64 = randomInRange(11, -3, 3, 5, 37);
        Tensor g64 = randomInRange(12, -1, 1, 5, 37);
        Tensor x32 = x64.detach().to(DType.F32).requiresGrad(true);
        for (int kind = 0; kind < 3; kind++) {
            x64.clearGrad();
            x32.clearGrad();
            apply(kind, x64).backward(kind == 2 ? g64.sum(1, false) : g64);
            apply(kind, x32).backward((kind == 2 ? g64.sum(1, false) : g64).to(DType.F32));
            double[] a = x32.grad().toDoubleArray();
            double[] b = x64.grad().toDoubleArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).as("kind %d element %d", kind, i).isCloseTo(b[i], within(1e-5));
            }
        }
    }

    private static Tensor apply(int kind, Tensor x) {
        return switch (kind) {
            case 0 -> x.softmax(1);
            case 1 -> x.logSoftmax(1);
            default -> x.logsumexp(1, false);
        };
    }

    @Test
    void gradientsAlongEveryDimension() {
        Tensor x = randomInRange(3, -2, 2, 2, 3, 4);
        for (int dim = -1; dim < 3; dim++) {
            int d = dim;
            check(t -> t[0].softmax(d), x);
            check(t -> t[0].logSoftmax(d), x);
            check(t -> t[0].logsumexp(d, false), x);
            check(t -> t[0].logsumexp(d, true), x);
        }
    }

    @Test
    void gradientOfStridedInput() {
        Tensor x = randomInRange(4, -2, 2, 4, 3);
        check(t -> t[0].transpose(0, 1).softmax(1), x);
        check(t -> t[0].narrow(0, 1, 2).logSoftmax(0), x);
    }
}
