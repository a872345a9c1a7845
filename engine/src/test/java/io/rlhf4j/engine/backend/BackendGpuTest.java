package io.rlhf4j.engine.backend;

import static io.rlhf4j.engine.cuda.GpuTestSupport.assertClose;
import static io.rlhf4j.engine.cuda.GpuTestSupport.gaussian;
import static io.rlhf4j.engine.cuda.GpuTestSupport.poisonPadding;
import static io.rlhf4j.engine.cuda.GpuTestSupport.raggedMask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaContext;
import io.rlhf4j.engine.cuda.GpuTestSupport;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Backend seam on a GPU: tensors moved to cuda:0, RlF's autograd functions there against the
 * same functions on the CPU (random inputs, ragged masks with an all-masked row, −inf in padding),
 * and device memory returning to the allocator when a step's scope closes.
 *
 * <p>Tolerances are RlLossesGpuTest's and LogSoftmaxGatherGpuTest's: masked means
 * {@code 2e-6 + 2e-5·|cpu|}; per-token gradients {@code 1e-9 + 1e-5·|cpu|}; logits gradients
 * {@code |g_row|·(2e-5 + 8·ulp(|lse|))} (g_row, the upstream gradient, itself carries the masked
 * mean's error) plus {@code 2^-7·|cpu|} for BF16.
 */
@Tag("gpu")
class BackendGpuTest {

    private static final int BATCH = 9;
    private static final int LEN = 37;
    private static final int N = BATCH * LEN;

    private static Device cuda() {
        GpuTestSupport.context();
        return Device.cuda(0);
    }

    @Test
    void transfersRoundTripBitwiseIncludingStridedTensorsAndFreeTheirMemory() {
        Device cuda = cuda();
        CudaContext ctx = GpuTestSupport.context();
        long before = ctx.allocator().stats().bytesInUse();
        try (var s = Memory.scope()) {
            Tensor t = Tensor.of(gaussian(1, 5 * 7, 0, 1), 5, 7);
            Tensor d = t.to(cuda);
            assertThat(d.device()).isEqualTo(cuda);
            assertThat(d.to(Device.CPU).toFloatArray()).containsExactly(t.toFloatArray());
            assertThat(t.transpose(0, 1).to(cuda).to(Device.CPU).toFloatArray())
                    .containsExactly(t.transpose(0, 1).contiguous().toFloatArray());
            assertThat(d.transpose(0, 1).to(Device.CPU).toFloatArray())
                    .containsExactly(t.transpose(0, 1).contiguous().toFloatArray());
            assertThat(d.narrow(0, 2, 2).to(Device.CPU).toFloatArray()).containsExactly(t.narrow(0, 2, 2).toFloatArray());
            Tensor bf16 = t.to(DType.BF16);
            assertThat(bf16.to(cuda).to(Device.CPU).to(DType.F32).toFloatArray())
                    .containsExactly(bf16.to(DType.F32).toFloatArray());
            Tensor ids = Tensor.ofInts(new int[] {3, -100, 7}, 3);
            assertThat(ids.to(cuda).to(Device.CPU).toLongArray()).containsExactly(3, -100, 7);
            assertThat(ctx.allocator().stats().bytesInUse()).isGreaterThan(before);
        }
        assertThat(ctx.allocator().stats().bytesInUse()).isEqualTo(before);
    }

    @Test
    void escapeKeepsADeviceTensorPastItsScope() {
        Device cuda = cuda();
        Tensor t = Tensor.of(gaussian(2, 100, 0, 1), 100);
        try (var outer = Memory.scope()) {
            Tensor kept;
            try (var inner = Memory.scope()) {
                kept = t.to(cuda).escape();
            }
            assertThat(kept.device()).isEqualTo(cuda);
            assertThat(kept.to(Device.CPU).toFloatArray()).containsExactly(t.toFloatArray());
        }
    }

    /** A CPU leaf moved to the GPU: log-softmax-gather and a masked mean there, the gradient back on the CPU. */
    @ParameterizedTest(name = "logits {0}, V {1}")
    @CsvSource({"F32, 4099", "BF16, 4099", "BF16, 151936"})
    void logSoftmaxGatherChainMatchesTheCpu(DType dtype, int vocab) {
        Device cuda = cuda();
        float[] m = raggedMask(3, BATCH, LEN, 4);
        int[] t = new int[N];
        for (int i = 0; i < N; i++) {
            t[i] = (int) ((i * 2654435761L) % vocab);
        }
        try (var s = Memory.scope()) {
            Tensor host = Tensor.of(gaussian(4, N * vocab, 0, 3), BATCH, LEN, vocab).to(dtype);
            Tensor ids = Tensor.ofInts(t, BATCH, LEN);
            Tensor mask = Tensor.of(m, BATCH, LEN);

            Tensor onCpu = host.detach().requiresGrad(true);
            Tensor cpuLogp = RlF.logSoftmaxGather(onCpu, ids);
            Tensor cpuLoss = RlF.maskedMean(cpuLogp, mask);
            cpuLoss.backward();

            Tensor leaf = host.detach().requiresGrad(true);
            Tensor gpuLogp = F.logSoftmaxGather(leaf.to(cuda), ids.to(cuda));
            assertThat(gpuLogp.device()).isEqualTo(cuda);
            Tensor gpuLoss = RlF.maskedMean(gpuLogp, mask.to(cuda));
            gpuLoss.backward();
            assertThat(leaf.grad().device()).isEqualTo(Device.CPU);
            assertThat(leaf.grad().dtype()).isEqualTo(dtype);

            float[] lse = host.to(DType.F32).logsumexp(-1, false).toFloatArray();
            float[] lpTol = new float[N];
            for (int r = 0; r < N; r++) {
                lpTol[r] = (float) (1e-5 + 8 * Math.ulp(Math.abs(lse[r])));
            }
            float[] gotLp = gpuLogp.to(Device.CPU).toFloatArray();
            float[] wantLp = cpuLogp.toFloatArray();
            for (int r = 0; r < N; r++) {
                if (!(Math.abs(gotLp[r] - wantLp[r]) <= lpTol[r])) {
                    throw new AssertionError("logprob[" + r + "]: GPU " + gotLp[r] + " vs CPU " + wantLp[r]);
                }
            }
            assertClose("loss", new float[] {(float) gpuLoss.to(Device.CPU).item()}, new float[] {(float) cpuLoss.item()},
                    2e-6, 2e-5);
            float[] got = leaf.grad().to(DType.F32).toFloatArray();
            float[] want = onCpu.grad().to(DType.F32).toFloatArray();
            double count = 0;
            for (float v : m) {
                count += v;
            }
            for (int i = 0; i < want.length; i++) {
                int r = i / vocab;
                double g = m[r] / Math.max(count, 1);
                double tol = g * (2e-5 + 8 * Math.ulp(Math.abs(lse[r]))) + (dtype == DType.BF16 ? Math.abs(want[i]) / 128 : 0);
                if (!(Math.abs(got[i] - want[i]) <= tol) && got[i] != want[i]) {
                    throw new AssertionError("grad[" + i + "]: GPU " + got[i] + " vs CPU " + want[i] + " (tolerance " + tol + ")");
                }
                if (m[r] == 0 && got[i] != 0) {
                    throw new AssertionError("grad[" + i + "] = " + got[i] + " in a masked row");
                }
            }
        }
    }

    /** A leaf on the GPU: its gradient stays there. */
    @ParameterizedTest(name = "KL {0}")
    @EnumSource(KlEstimators.Kind.class)
    void klMeanAndGradientOfADeviceLeafMatchTheCpu(KlEstimators.Kind kind) {
        Device cuda = cuda();
        float[] m = raggedMask(5, BATCH, LEN, 0);
        float[] lp = poisonPadding(gaussian(6, N, -2, 1), m);
        float[] ref = gaussian(7, N, -2, 1);
        try (var s = Memory.scope()) {
            Tensor cpuLeaf = Tensor.of(lp, BATCH, LEN).requiresGrad(true);
            Tensor cpuLoss = RlF.klMean(kind, cpuLeaf, Tensor.of(ref, BATCH, LEN), Tensor.of(m, BATCH, LEN));
            cpuLoss.backward();
            Tensor gpuLeaf = Tensor.of(lp, BATCH, LEN).to(cuda).requiresGrad(true);
            Tensor gpuLoss = RlF.klMean(kind, gpuLeaf, Tensor.of(ref, BATCH, LEN).to(cuda), Tensor.of(m, BATCH, LEN).to(cuda));
            gpuLoss.backward();
            assertThat(gpuLeaf.grad().device()).isEqualTo(cuda);
            assertClose("loss", new float[] {(float) gpuLoss.to(Device.CPU).item()}, new float[] {(float) cpuLoss.item()},
                    2e-6, 2e-5);
            assertClose("grad", gpuLeaf.grad().to(Device.CPU).toFloatArray(), cpuLeaf.grad().toFloatArray(), 1e-9, 1e-5);
            assertThatThrownBy(() -> RlF.klMean(kind, gpuLeaf, Tensor.of(ref, BATCH, LEN).to(cuda),
                    Tensor.of(m, BATCH, LEN).to(cuda)).backward())
                    .hasMessageContaining("second gradient reached the cuda:0 leaf");
        }
    }

    @ParameterizedTest(name = "PPO advLen {0}")
    @CsvSource({"0", LEN + ""})
    void ppoClipMeanAndGradientMatchTheCpu(int advLen) {
        Device cuda = cuda();
        RlKernels.Clip clip = new RlKernels.Clip(0.2, 0.28, advLen);
        float[] m = raggedMask(8, BATCH, LEN, 2);
        float[] old = gaussian(9, N, -2, 1);
        float[] lp = old.clone();
        float[] step = gaussian(10, N, 0, 0.3);
        for (int i = 0; i < N; i++) {
            lp[i] += step[i];
            double ratio = Math.exp((double) lp[i] - old[i]);
            if (Math.abs(ratio - 1.28) < 1e-4 || Math.abs(ratio - 0.8) < 1e-4) {
                lp[i] += 1e-3f;  // F32 and F64 may put a ratio this close to the clip boundary on either side
            }
        }
        float[] adv = gaussian(11, advLen == 0 ? N : BATCH, 0, 1);
        try (var s = Memory.scope()) {
            Tensor cpuLeaf = Tensor.of(poisonPadding(lp, m), N).requiresGrad(true);
            Tensor cpuLoss = RlF.ppoClipMean(clip, cpuLeaf, Tensor.of(old, N), Tensor.of(adv, adv.length), Tensor.of(m, N));
            cpuLoss.mul(0.5).backward();
            Tensor gpuLeaf = Tensor.of(poisonPadding(lp, m), N).to(cuda).requiresGrad(true);
            Tensor gpuLoss = RlF.ppoClipMean(clip, gpuLeaf, Tensor.of(old, N).to(cuda), Tensor.of(adv, adv.length).to(cuda),
                    Tensor.of(m, N).to(cuda));
            gpuLoss.backward(Tensor.of(new float[] {0.5f}));
            assertClose("loss", new float[] {(float) gpuLoss.to(Device.CPU).item()}, new float[] {(float) cpuLoss.item()},
                    2e-6, 2e-5);
            assertClose("grad", gpuLeaf.grad().to(Device.CPU).toFloatArray(), cpuLeaf.grad().toFloatArray(), 1e-9, 1e-5);
        }
    }

    @Test
    void maskedMeanGaeAndGroupAdvantagesMatchTheCpu() {
        Device cuda = cuda();
        float[] m = raggedMask(12, BATCH, LEN, 1);
        float[] x = poisonPadding(gaussian(13, N, 1, 2), m);
        try (var s = Memory.scope()) {
            Tensor mask = Tensor.of(m, BATCH, LEN);
            Tensor cpuLeaf = Tensor.of(x, BATCH, LEN).requiresGrad(true);
            Tensor cpuLoss = RlF.maskedMean(cpuLeaf, mask);
            cpuLoss.backward();
            Tensor gpuLeaf = Tensor.of(x, BATCH, LEN).to(cuda).requiresGrad(true);
            Tensor gpuLoss = RlF.maskedMean(gpuLeaf, mask.to(cuda));
            gpuLoss.backward();
            assertClose("masked mean", new float[] {(float) gpuLoss.to(Device.CPU).item()},
                    new float[] {(float) cpuLoss.item()}, 2e-6, 2e-5);
            assertClose("grad", gpuLeaf.grad().to(Device.CPU).toFloatArray(), cpuLeaf.grad().toFloatArray(), 1e-12, 2e-5);

            Tensor rewards = Tensor.of(gaussian(14, N, 0, 1), BATCH, LEN);
            Tensor values = Tensor.of(gaussian(15, N, 0.5, 1), BATCH, LEN);
            RlKernels.Advantages<Tensor> want = RlF.gae(rewards, values, mask, 0.99f, 0.95f);
            RlKernels.Advantages<Tensor> got = RlF.gae(rewards.to(cuda), values.to(cuda), mask.to(cuda), 0.99f, 0.95f);
            assertThat(got.advantages().device()).isEqualTo(cuda);
            assertClose("advantages", got.advantages().to(Device.CPU).toFloatArray(), want.advantages().toFloatArray(), 1e-5, 2e-5);
            assertClose("returns", got.returns().to(Device.CPU).toFloatArray(), want.returns().toFloatArray(), 1e-5, 2e-5);

            Tensor r = rewards.flatten();
            for (GroupAdvantages.Scale scale : GroupAdvantages.Scale.values()) {
                assertClose("GRPO " + scale, RlF.groupAdvantages(r.to(cuda), LEN, scale, 1e-4f).to(Device.CPU).toFloatArray(),
                        RlF.groupAdvantages(r, LEN, scale, 1e-4f).toFloatArray(), 1e-5, 1e-5);
            }
        }
    }

    @Test
    void aTrainingStepsDeviceMemoryReturnsWhenItsScopeCloses() {
        Device cuda = cuda();
        CudaContext ctx = GpuTestSupport.context();
        Tensor logits = Tensor.of(gaussian(16, N * 512, 0, 2), N, 512).requiresGrad(true);
        int[] t = new int[N];
        for (int i = 0; i < N; i++) {
            t[i] = i % 512;
        }
        long[] inUse = new long[3];
        for (int step = 0; step < 3; step++) {
            try (var s = Memory.scope()) {
                Tensor logp = RlF.logSoftmaxGather(logits.to(cuda), Tensor.ofInts(t, N).to(cuda));
                RlF.ppoClipMean(new RlKernels.Clip(0.2, 0.2, 0), logp, logp.detach(), Tensor.ones(DType.F32, N).to(cuda),
                        Tensor.ones(DType.F32, N).to(cuda)).backward();
            }
            logits.clearGrad();
            inUse[step] = ctx.allocator().stats().bytesInUse();
        }
        assertThat(inUse[1]).isEqualTo(inUse[0]);
        assertThat(inUse[2]).isEqualTo(inUse[0]);
    }
}
