package io.rlhf4j.engine.cuda;

import static io.rlhf4j.engine.cuda.GpuTestSupport.assertClose;
import static io.rlhf4j.engine.cuda.GpuTestSupport.gaussian;
import static io.rlhf4j.engine.cuda.GpuTestSupport.poisonPadding;
import static io.rlhf4j.engine.cuda.GpuTestSupport.raggedMask;
import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.rl.CpuRlKernels;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GAE, KL estimators, GRPO advantages, the PPO clipped loss and the masked mean on the GPU
 * against CpuRlKernels (F64 twins rounded once) on the same F32 inputs, with ragged masks, an
 * all-masked row, −inf in padding, and sizes that are not multiples of 32.
 *
 * <p>Tolerances: masked means {@code 2e-6 + 2e-5·|cpu|} (Σ x·m: {@code 1e-3 + 2e-5·|cpu|}) (F32 tree sums of up to 1e5 terms vs
 * F64); per-token values and gradients {@code 1e-6 + 1e-5·|cpu|} (a few F32 roundings); GAE
 * {@code 1e-5 + 2e-5·|cpu|} per 100 steps of recursion; GRPO advantages {@code 1e-5 + 1e-5·|cpu|}.
 */
@Tag("gpu")
class RlLossesGpuTest {

    private final CpuRlKernels cpu = new CpuRlKernels();

    @ParameterizedTest(name = "GAE {0} × {1}")
    @CsvSource({"1, 1", "45, 77", "64, 64", "33, 1000"})
    void gaeMatchesTheCpu(int batch, int len) {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            Tensor rew = Tensor.of(gaussian(1, batch * len, 0, 1), batch, len);
            Tensor val = Tensor.of(gaussian(2, batch * len, 0.5, 1), batch, len);
            Tensor mask = Tensor.of(raggedMask(3, batch, len, batch > 1 ? batch / 2 : -1), batch, len);
            RlKernels.Advantages<Tensor> ref = cpu.gae(rew, val, mask, 0.99f, 0.95f);
            RlKernels.Advantages<DeviceBuffer> out = gpu.gae(ctx.upload(rew), ctx.upload(val), ctx.upload(mask), 0.99f, 0.95f);
            double rtol = 2e-5 * Math.max(1, len / 100.0);
            assertClose("advantages", ctx.download(out.advantages()).toFloatArray(), ref.advantages().toFloatArray(), 1e-5, rtol);
            assertClose("returns", ctx.download(out.returns()).toFloatArray(), ref.returns().toFloatArray(), 1e-5, rtol);
        }
    }

    @ParameterizedTest(name = "KL {0}")
    @EnumSource(KlEstimators.Kind.class)
    void klMeanPerTokenAndGradMatchTheCpu(KlEstimators.Kind kind) {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        int batch = 97;
        int len = 103;
        int n = batch * len;
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            float[] m = raggedMask(11, batch, len, 5);
            float[] logp = gaussian(12, n, -2, 1);
            float[] ref = logp.clone();
            float[] noise = gaussian(13, n, 0, 0.5);
            for (int i = 0; i < n; i++) {
                ref[i] += i % 97 == 0 ? 8 * noise[i] : noise[i];
            }
            Tensor tLogp = Tensor.of(poisonPadding(logp, m), batch, len);
            Tensor tRef = Tensor.of(ref, batch, len);
            Tensor tMask = Tensor.of(m, batch, len);
            Tensor g = Tensor.of(new float[] {1.5f}, 1);
            RlKernels.Reduced<Tensor> want = cpu.kl(kind, tLogp, tRef, tMask, true);
            DeviceBuffer dLogp = ctx.upload(tLogp);
            DeviceBuffer dRef = ctx.upload(tRef);
            DeviceBuffer dMask = ctx.upload(tMask);
            RlKernels.Reduced<DeviceBuffer> got = gpu.kl(kind, dLogp, dRef, dMask, true);
            assertStats(ctx.download(got.stats()).toFloatArray(), want.stats().toFloatArray());
            assertClose("per-token", masked(ctx.download(got.perToken()).toFloatArray(), m),
                    masked(want.perToken().toFloatArray(), m), 1e-6, 1e-5);
            float[] grad = ctx.download(gpu.klBackward(kind, dLogp, dRef, dMask, ctx.upload(g), got.stats())).toFloatArray();
            assertClose("grad", grad, cpu.klBackward(kind, tLogp, tRef, tMask, g, want.stats()).toFloatArray(), 1e-9, 1e-5);
            assertZeroWhereMasked(grad, m);
            RlKernels.Reduced<DeviceBuffer> again = gpu.kl(kind, dLogp, dRef, dMask, false);
            assertThat(ctx.download(again.stats()).toFloatArray()).as("bitwise reproducible")
                    .containsExactly(ctx.download(got.stats()).toFloatArray());
            assertThat(again.perToken()).isNull();
        }
    }

    @Test
    void allMaskedBatchGivesZeroMeanAndZeroGradient() {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        int n = 1000;
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            DeviceBuffer logp = ctx.upload(Tensor.full(Float.NEGATIVE_INFINITY, io.rlhf4j.engine.DType.F32, n));
            DeviceBuffer ref = ctx.upload(Tensor.of(gaussian(1, n, -1, 1), n));
            DeviceBuffer mask = ctx.upload(Tensor.zeros(io.rlhf4j.engine.DType.F32, n));
            DeviceBuffer g = ctx.upload(Tensor.of(new float[] {1f}, 1));
            RlKernels.Reduced<DeviceBuffer> kl = gpu.kl(KlEstimators.Kind.K3, logp, ref, mask, false);
            assertThat(ctx.download(kl.stats()).toFloatArray()).containsExactly(0f, 0f, 0f);
            assertThat(ctx.download(gpu.klBackward(KlEstimators.Kind.K3, logp, ref, mask, g, kl.stats())).toFloatArray())
                    .containsOnly(0f);
            RlKernels.Reduced<DeviceBuffer> mean = gpu.maskedMean(logp, mask);
            assertThat(ctx.download(mean.stats()).toFloatArray()).containsExactly(0f, 0f, 0f);
            assertThat(ctx.download(gpu.maskedMeanBackward(mask, g, mean.stats())).toFloatArray()).containsOnly(0f);
        }
    }

    @ParameterizedTest(name = "GRPO {0} groups of {1}, {2}")
    @CsvSource({"37, 8, GROUP", "37, 8, BATCH", "37, 8, NONE", "5, 1, GROUP", "5, 1, BATCH", "13, 50, GROUP",
        "1000, 16, BATCH", "3, 33, GROUP"})
    void grpoAdvantagesMatchTheCpu(int groups, int groupSize, GroupAdvantages.Scale scale) {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            float[] r = gaussian(groups + groupSize, groups * groupSize, 0.3, 1);
            for (int j = 0; j < groupSize; j++) {
                r[j] = 0.75f;  // group 0 has identical rewards: std 0, advantages exactly 0
            }
            Tensor rewards = Tensor.of(r, groups, groupSize);
            float eps = (float) GroupAdvantages.TRL_EPS;
            float[] want = cpu.groupAdvantages(rewards, groupSize, scale, eps).toFloatArray();
            float[] got = ctx.download(gpu.groupAdvantages(ctx.upload(rewards), groupSize, scale, eps)).toFloatArray();
            assertClose("advantages", got, want, 1e-5, 1e-5);
            for (int j = 0; j < groupSize; j++) {
                assertThat(got[j]).isZero();
            }
        }
    }

    @ParameterizedTest(name = "PPO advLen {0}")
    @CsvSource({"0", "77"})
    void ppoClipLossAndGradMatchTheCpu(int advLen) {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        int batch = 45;
        int len = 77;
        int n = batch * len;
        RlKernels.Clip clip = new RlKernels.Clip(0.2, 0.28, advLen);
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            float[] m = raggedMask(21, batch, len, 0);
            float[] old = gaussian(22, n, -2, 1);
            float[] logp = old.clone();
            float[] step = gaussian(23, n, 0, 0.3);
            for (int i = 0; i < n; i++) {
                logp[i] += step[i];
            }
            Tensor tLogp = Tensor.of(poisonPadding(logp, m), n);
            Tensor tOld = Tensor.of(old, n);
            Tensor tAdv = Tensor.of(gaussian(24, advLen == 0 ? n : batch, 0, 1), advLen == 0 ? n : batch);
            Tensor tMask = Tensor.of(m, n);
            Tensor g = Tensor.of(new float[] {0.75f}, 1);
            RlKernels.Reduced<Tensor> want = cpu.ppoClip(clip, tLogp, tOld, tAdv, tMask, true);
            DeviceBuffer dLogp = ctx.upload(tLogp);
            DeviceBuffer dOld = ctx.upload(tOld);
            DeviceBuffer dAdv = ctx.upload(tAdv);
            DeviceBuffer dMask = ctx.upload(tMask);
            RlKernels.Reduced<DeviceBuffer> got = gpu.ppoClip(clip, dLogp, dOld, dAdv, dMask, true);
            assertStats(ctx.download(got.stats()).toFloatArray(), want.stats().toFloatArray());
            assertClose("per-token", masked(ctx.download(got.perToken()).toFloatArray(), m),
                    masked(want.perToken().toFloatArray(), m), 1e-6, 1e-5);
            float[] grad = ctx.download(gpu.ppoClipBackward(clip, dLogp, dOld, dAdv, dMask, ctx.upload(g), got.stats()))
                    .toFloatArray();
            float[] wantGrad = cpu.ppoClipBackward(clip, tLogp, tOld, tAdv, tMask, g, want.stats()).toFloatArray();
            // a ratio within 1e-5 of a clip boundary may fall on either side in F32 vs F64
            for (int i = 0; i < n; i++) {
                double ratio = Math.exp((double) logp[i] - old[i]);
                if (Math.abs(ratio - 1.28) < 1e-5 || Math.abs(ratio - 0.8) < 1e-5) {
                    grad[i] = wantGrad[i];
                }
            }
            assertClose("grad", grad, wantGrad, 1e-9, 1e-5);
            assertZeroWhereMasked(grad, m);
            assertThat(count(wantGrad, 0f, m)).as("some tokens are clipped").isGreaterThan(10);
        }
    }

    @Test
    void maskedMeanAndBackwardMatchTheCpu() {
        CudaContext ctx = GpuTestSupport.context();
        CudaRlKernels gpu = new CudaRlKernels(ctx);
        int n = 100_003;
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            float[] m = raggedMask(31, 1, n, -1);
            float[] w = gaussian(32, n, 0.5, 0.2);
            for (int i = 0; i < n; i++) {
                m[i] = m[i] * w[i];  // fractional weights
            }
            Tensor x = Tensor.of(poisonPadding(gaussian(33, n, 1, 2), m), n);
            Tensor mask = Tensor.of(m, n);
            Tensor g = Tensor.of(new float[] {-2f}, 1);
            RlKernels.Reduced<Tensor> want = cpu.maskedMean(x, mask);
            DeviceBuffer dMask = ctx.upload(mask);
            RlKernels.Reduced<DeviceBuffer> got = gpu.maskedMean(ctx.upload(x), dMask);
            assertStats(ctx.download(got.stats()).toFloatArray(), want.stats().toFloatArray());
            assertClose("grad", ctx.download(gpu.maskedMeanBackward(dMask, ctx.upload(g), got.stats())).toFloatArray(),
                    cpu.maskedMeanBackward(mask, g, want.stats()).toFloatArray(), 1e-12, 2e-5);
        }
    }

    /** Mean and Σ m tightly; Σ x·m with an absolute 1e-3 too, since it can cancel to near 0 (the mean is what matters). */
    private static void assertStats(float[] got, float[] want) {
        assertClose("stats (mean, Σm)", new float[] {got[0], got[1]}, new float[] {want[0], want[1]}, 2e-6, 2e-5);
        assertClose("stats Σx·m", new float[] {got[2]}, new float[] {want[2]}, 1e-3, 2e-5);
    }

    private static float[] masked(float[] x, float[] m) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            if (m[i] == 0) {
                out[i] = 0;
            }
        }
        return out;
    }

    private static void assertZeroWhereMasked(float[] grad, float[] m) {
        for (int i = 0; i < grad.length; i++) {
            if (m[i] == 0 && grad[i] != 0) {
                throw new AssertionError("grad[" + i + "] = " + grad[i] + " at a masked position");
            }
        }
    }

    private static int count(float[] x, float value, float[] m) {
        int c = 0;
        for (int i = 0; i < x.length; i++) {
            if (m[i] != 0 && x[i] == value) {
                c++;
            }
        }
        return c;
    }
}
