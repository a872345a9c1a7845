package io.rlhf4j.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/** Shared pieces of the tests tagged gpu (here and in engine.backend): the device (or a clean skip) and random inputs. */
public final class GpuTestSupport {

    private GpuTestSupport() {
    }

    /** CUDA device 0, synchronising after every launch so a failing kernel is named; skips without a device. */
    public static CudaContext context() {
        System.setProperty("rlhf4j.cuda.checkLaunches", "true");
        Assumptions.assumeTrue(CudaRuntime.isAvailable(), () -> "skipped: no CUDA device (" + CudaRuntime.unavailableReason() + ")");
        return CudaContext.get(0);
    }

    public static float[] gaussian(long seed, int n, double mean, double sd) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mean + sd * r.nextGaussian());
        }
        return x;
    }

    /**
     * A [batch, len] response mask: row b has ones on a random prefix (length 0 .. len), so
     * lengths are ragged, row {@code allMaskedRow} is all zeros, and the rest is padding.
     */
    public static float[] raggedMask(long seed, int batch, int len, int allMaskedRow) {
        Random r = new Random(seed);
        float[] m = new float[batch * len];
        for (int b = 0; b < batch; b++) {
            int n = b == allMaskedRow ? 0 : 1 + r.nextInt(len);
            for (int t = 0; t < n; t++) {
                m[b * len + t] = 1;
            }
        }
        return m;
    }

    /** Writes −inf into x where the mask is 0, every other padding position: padding must not leak. */
    public static float[] poisonPadding(float[] x, float[] mask) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i += 2) {
            if (mask[i] == 0) {
                out[i] = Float.NEGATIVE_INFINITY;
            }
        }
        return out;
    }

    /** |actual − expected| ≤ atol + rtol·|expected| elementwise, naming the first index that fails. */
    public static void assertClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            if (!(Math.abs(actual[i] - expected[i]) <= tol) && !(actual[i] == expected[i])) {
                throw new AssertionError(what + "[" + i + "]: GPU " + actual[i] + " vs CPU " + expected[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }
}
