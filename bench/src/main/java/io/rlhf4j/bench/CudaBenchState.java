package io.rlhf4j.bench;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaContext;
import io.rlhf4j.engine.cuda.CudaRlKernels;
import io.rlhf4j.engine.cuda.CudaRuntime;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import java.util.Random;

/**
 * Shared setup of the CUDA benchmarks: the device (or a clear refusal naming why there is none;
 * {@link GpuBench} skips before JMH starts when there is no device) and device buffers filled
 * without generating gigabytes of random numbers on the host.
 */
final class CudaBenchState {

    private CudaBenchState() {
    }

    static CudaContext context() {
        if (!CudaRuntime.isAvailable()) {
            throw new IllegalStateException("no CUDA device: " + CudaRuntime.unavailableReason()
                    + " (run the GPU benchmarks through io.rlhf4j.bench.GpuBench, which skips them)");
        }
        return CudaContext.get(0);
    }

    static CudaRlKernels kernels() {
        return new CudaRlKernels(context());
    }

    /**
     * A [rows, cols] buffer: {@code distinct} random rows uploaded from the host, then replicated
     * on the device by doubling copies. The kernels' speed does not depend on the values.
     */
    static DeviceBuffer randomRows(CudaContext ctx, DType dtype, int rows, int cols, int distinct, double sd, long seed) {
        int first = Math.min(rows, distinct);
        float[] host = gaussian(seed, first * cols, 0, sd);
        DeviceBuffer out = ctx.allocator().allocate(dtype, rows, cols);
        long rowBytes = (long) cols * dtype.byteSize();
        DeviceBuffer head = out.view(0, dtype, first, cols);
        ctx.copyToDevice(Tensor.of(host, first, cols).to(dtype).segment(), head);
        for (long done = first; done < rows; ) {
            int n = (int) Math.min(done, rows - done);
            ctx.copy(out.view(0, dtype, n, cols), out.view(done * rowBytes, dtype, n, cols));
            done += n;
        }
        ctx.synchronize();
        return out;
    }

    static DeviceBuffer upload(CudaContext ctx, float[] data, int... shape) {
        return ctx.upload(Tensor.of(data, shape));
    }

    static float[] gaussian(long seed, int n, double mean, double sd) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mean + sd * r.nextGaussian());
        }
        return x;
    }

    static int[] ids(long seed, int n, int vocab) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    /** A response mask [rows, cols] with ragged lengths between half and all of each row. */
    static float[] mask(long seed, int rows, int cols) {
        Random r = new Random(seed);
        float[] m = new float[rows * cols];
        for (int b = 0; b < rows; b++) {
            int len = cols / 2 + r.nextInt(cols - cols / 2 + 1);
            for (int t = 0; t < len; t++) {
                m[b * cols + t] = 1;
            }
        }
        return m;
    }
}
