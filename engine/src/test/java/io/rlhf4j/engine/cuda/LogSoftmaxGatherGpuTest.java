package io.rlhf4j.engine.cuda;

import static io.rlhf4j.engine.cuda.GpuTestSupport.gaussian;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.rl.CpuRlKernels;
import io.rlhf4j.engine.rl.RlKernels;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused log-softmax-gather kernels against CpuRlKernels on the same inputs (BF16 logits:
 * the same bf16 values on both sides).
 *
 * <p>Tolerances. logprob and lse: {@code 1e-5 + 8·ulp_f32(|lse|)}: the GPU sums in F32 (the
 * tree order differs from the CPU's), and logit − lse cancels digits when both are ~1e4, where
 * one F32 ulp is 1e-3. Gradients: {@code |g|·(2e-6 + 8·ulp_f32(|lse|))} (the error of
 * exp(x − lse) when p ≤ 1), plus {@code 2^-7·|cpu|} for BF16 outputs (both sides round to bf16;
 * they may land one bf16 ulp apart).
 */
@Tag("gpu")
class LogSoftmaxGatherGpuTest {

    private final CpuRlKernels cpu = new CpuRlKernels();

    @ParameterizedTest(name = "{0} rows × V {1}, {2}, offset {3} B, extreme {4}")
    @CsvSource({
        "1, 1, F32, 0, false",
        "77, 7, F32, 0, false",
        "33, 1000, F32, 4, false",
        "45, 50257, F32, 0, false",
        "45, 50257, BF16, 2, false",
        "40, 151936, BF16, 0, false",
        "31, 4099, F32, 8, true",
        "31, 4099, BF16, 6, true",
        "64, 32768, BF16, 0, true",
    })
    void forwardAndBackwardMatchTheCpu(int rows, int v, DType dtype, int offsetBytes, boolean extreme) {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            Tensor logits = Tensor.of(logits(rows, v, extreme), rows, v).to(dtype);
            Tensor targets = Tensor.ofInts(targets(rows, v), rows);
            Tensor g = Tensor.of(gaussian(7, rows, 0, 1), rows);

            RlKernels.LogProbs<Tensor> ref = cpu.logSoftmaxGather(logits, targets);
            DeviceBuffer dLogits = uploadAt(ctx, logits, offsetBytes);
            DeviceBuffer dTargets = ctx.upload(targets);
            RlKernels.LogProbs<DeviceBuffer> out = gpu.logSoftmaxGather(dLogits, dTargets);
            float[] lse = ref.lse().toFloatArray();
            float[] tol = new float[rows];
            for (int r = 0; r < rows; r++) {
                tol[r] = (float) (1e-5 + 8 * Math.ulp(Math.abs(lse[r])));
            }
            assertRows("lse", ctx.download(out.lse()).toFloatArray(), lse, tol);
            assertRows("logprob", ctx.download(out.logprob()).toFloatArray(), ref.logprob().toFloatArray(), tol);

            DeviceBuffer dGrad = gpu.logSoftmaxGatherBackward(dLogits, dTargets, out.lse(), ctx.upload(g));
            Tensor refGrad = cpu.logSoftmaxGatherBackward(logits, targets, ref.lse(), g);
            assertGrad(ctx.download(dGrad).toFloatArray(), refGrad.toFloatArray(), g.toFloatArray(), lse, v,
                    dtype == DType.BF16);
        }
    }

    /** Copies t to a fresh buffer at {@code offsetBytes} past its start: rows begin unaligned. */
    private static DeviceBuffer uploadAt(CudaContext ctx, Tensor t, int offsetBytes) {
        long bytes = t.numel() * t.dtype().byteSize();
        DeviceBuffer base = ctx.allocator().allocate(DType.I32, Math.toIntExact((bytes + offsetBytes + 3) / 4));
        DeviceBuffer view = base.view(offsetBytes, t.dtype(), t.shape());
        MemorySegment src = t.contiguous().segment().asSlice(t.offset() * t.dtype().byteSize(), bytes);
        ctx.copyToDevice(src, view);
        return view;
    }

    /** N(0, 3) logits; extreme rows hold ±1e4 and −inf entries (never at the target). */
    private static float[] logits(int rows, int v, boolean extreme) {
        float[] x = gaussian(rows * 31L + v, rows * v, 0, 3);
        if (extreme) {
            Random r = new Random(5);
            for (int i = 0; i < x.length; i++) {
                int pick = r.nextInt(16);
                if (pick == 0) {
                    x[i] = 1e4f;
                } else if (pick == 1) {
                    x[i] = -1e4f;
                } else if (pick == 2) {
                    x[i] = Float.NEGATIVE_INFINITY;
                }
            }
            int[] t = targets(rows, v);
            for (int row = 0; row < rows; row++) {
                if (t[row] >= 0 && t[row] < v && x[row * v + t[row]] == Float.NEGATIVE_INFINITY) {
                    x[row * v + t[row]] = -1e4f;
                }
                x[row * v + (row % v)] = Math.max(x[row * v + (row % v)], 0f);  // every row has a finite max
            }
        }
        return x;
    }

    /** Random ids with TRL's ignore index −100 and an id == V (also out of range) sprinkled in. */
    private static int[] targets(int rows, int v) {
        Random r = new Random(rows + 3L * v);
        int[] t = new int[rows];
        for (int i = 0; i < rows; i++) {
            t[i] = i % 7 == 3 ? -100 : i % 11 == 5 ? v : r.nextInt(v);
        }
        if (rows == 1) {
            t[0] = 0;
        }
        return t;
    }

    private static void assertRows(String what, float[] gpu, float[] cpu, float[] tol) {
        for (int r = 0; r < cpu.length; r++) {
            if (!(Math.abs(gpu[r] - cpu[r]) <= tol[r])) {
                throw new AssertionError(what + "[" + r + "]: GPU " + gpu[r] + " vs CPU " + cpu[r] + " (tolerance " + tol[r] + ")");
            }
        }
    }

    private static void assertGrad(float[] gpu, float[] cpu, float[] g, float[] lse, int v, boolean bf16) {
        for (int i = 0; i < cpu.length; i++) {
            int r = i / v;
            double tol = Math.abs(g[r]) * (2e-6 + 8 * Math.ulp(Math.abs(lse[r]))) + (bf16 ? Math.abs(cpu[i]) / 128 : 0);
            if (!(Math.abs(gpu[i] - cpu[i]) <= tol) && gpu[i] != cpu[i]) {
                throw new AssertionError("grad[" + r + ", " + i % v + "]: GPU " + gpu[i] + " vs CPU " + cpu[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }
}
