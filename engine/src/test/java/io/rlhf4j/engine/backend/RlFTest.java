package io.rlhf4j.engine.backend;

import static io.rlhf4j.engine.backend.CpuBackendTest.same;
import static io.rlhf4j.engine.cuda.GpuTestSupport.gaussian;
import static io.rlhf4j.engine.cuda.GpuTestSupport.raggedMask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.ops.fused.LogSoftmaxGather;
import io.rlhf4j.engine.rl.CpuRlKernels;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.MaskedMean;
import io.rlhf4j.engine.rl.PpoClipLoss;
import io.rlhf4j.engine.rl.RlKernels;
import io.rlhf4j.engine.testing.GradCheck;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RlF on the CPU: forward values and gradients are bitwise those of the CPU kernels called
 * directly, and gradients match central finite differences (F64, step 1e-6) of the F64 twins
 * ({@link KlEstimators}, {@link PpoClipLoss}, {@link MaskedMean}). The CPU backward kernels write
 * F32 from F32-rounded inputs, so the tolerance is {@code 1e-9 + 1e-5·|fd|}.
 */
class RlFTest {

    private static final int BATCH = 5;
    private static final int LEN = 11;
    private static final int N = BATCH * LEN;
    private static final double STEP = 1e-6;

    private final CpuRlKernels cpu = new CpuRlKernels();
    private final double[] mask = widen(raggedMask(7, BATCH, LEN, 3));
    private final Tensor tMask = Tensor.of(mask, BATCH, LEN);

    @ParameterizedTest
    @EnumSource(KlEstimators.Kind.class)
    void klMeanIsTheKernelsValueAndItsGradientMatchesFiniteDifferences(KlEstimators.Kind kind) {
        double[] ref = widen(gaussian(8, N, -2, 1));
        double[] lp = widen(gaussian(9, N, -2, 1));
        Tensor logp = Tensor.of(lp, BATCH, LEN).requiresGrad(true);
        Tensor loss = RlF.klMean(kind, logp, Tensor.of(ref, BATCH, LEN), tMask);
        assertThat(loss.shape()).isEmpty();
        assertThat(loss.dtype()).isEqualTo(DType.F32);
        RlKernels.Reduced<Tensor> want = cpu.kl(kind, logp.detach(), Tensor.of(ref, BATCH, LEN), tMask, false);
        assertThat(loss.item()).isEqualTo(want.stats().toFloatArray()[0]);
        loss.mul(0.75).backward();
        same(logp.grad().to(DType.F32), cpu.klBackward(kind, logp.detach(), Tensor.of(ref, BATCH, LEN), tMask,
                Tensor.of(new float[] {0.75f}, 1), want.stats()));
        assertGradient(logp.grad(), lp, x -> 0.75 * KlEstimators.maskedMean(kind, x, ref, mask));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, LEN})
    void ppoClipMeanIsTheKernelsValueAndItsGradientMatchesFiniteDifferences(int advLen) {
        RlKernels.Clip clip = new RlKernels.Clip(0.2, 0.28, advLen);
        double[] old = widen(gaussian(10, N, -2, 1));
        double[] step = widen(gaussian(11, N, 0, 0.3));
        double[] lp = new double[N];
        for (int i = 0; i < N; i++) {
            lp[i] = old[i] + step[i];
            double ratio = Math.exp(step[i]);
            if (Math.abs(ratio - 1.28) < 1e-3 || Math.abs(ratio - 0.8) < 1e-3) {
                lp[i] += 3e-3;  // keep finite differences off the clip kinks
            }
        }
        double[] adv = widen(gaussian(12, advLen == 0 ? N : BATCH, 0, 1));
        Tensor logp = Tensor.of(lp, N).requiresGrad(true);
        Tensor tOld = Tensor.of(old, N);
        Tensor tAdv = Tensor.of(adv, adv.length);
        Tensor m = tMask.flatten();
        Tensor loss = RlF.ppoClipMean(clip, logp, tOld, tAdv, m);
        RlKernels.Reduced<Tensor> want = cpu.ppoClip(clip, logp.detach(), tOld, tAdv, m, false);
        assertThat(loss.item()).isEqualTo(want.stats().toFloatArray()[0]);
        loss.backward();
        same(logp.grad().to(DType.F32), cpu.ppoClipBackward(clip, logp.detach(), tOld, tAdv, m,
                Tensor.of(new float[] {1f}, 1), want.stats()));
        PpoClipLoss twin = new PpoClipLoss(0.2, 0.28, advLen);
        assertGradient(logp.grad(), lp, x -> twin.loss(x, old, adv, mask));
        long clipped = 0;
        for (double g : logp.grad().toDoubleArray()) {
            clipped += g == 0 ? 1 : 0;
        }
        assertThat(clipped).as("zero gradients: masked or clipped tokens").isGreaterThan(N - (long) MaskedMean.count(mask));
    }

    @Test
    void maskedMeanIsTheKernelsValueAndItsGradientMatchesFiniteDifferences() {
        double[] x = widen(gaussian(13, N, 1, 2));
        Tensor tx = Tensor.of(x, BATCH, LEN).requiresGrad(true);
        Tensor loss = RlF.maskedMean(tx, tMask);
        RlKernels.Reduced<Tensor> want = cpu.maskedMean(tx.detach(), tMask);
        assertThat(loss.item()).isEqualTo(want.stats().toFloatArray()[0]);
        loss.mul(-2).backward();
        assertThat(tx.grad().shape()).containsExactly(BATCH, LEN);
        assertGradient(tx.grad(), x, v -> -2 * MaskedMean.of(v, mask));
    }

    @Test
    void logSoftmaxGatherOnTheCpuIsTheFusedOpBitForBit() {
        Tensor logits = Tensor.of(gaussian(14, 2 * 3 * 50, 0, 4), 2, 3, 50);
        Tensor ids = Tensor.ofLongs(new long[] {0, 49, 7, 13, 25, 1}, 2, 3);
        Tensor a = logits.detach().requiresGrad(true);
        Tensor b = logits.detach().requiresGrad(true);
        Tensor viaRlF = RlF.logSoftmaxGather(a, ids);
        Tensor viaF = F.logSoftmaxGather(b, ids);
        Tensor viaOp = LogSoftmaxGather.apply(logits, ids);
        same(viaRlF, viaOp);
        same(viaF, viaOp);
        Tensor g = Tensor.of(gaussian(15, 6, 0, 1), 2, 3);
        viaRlF.backward(g);
        viaF.backward(g);
        same(a.grad(), b.grad());
        assertThatThrownBy(() -> RlF.logSoftmaxGather(logits, Tensor.ofLongs(new long[] {50}, 1)))
                .hasMessageContaining("ids must be an integer tensor of shape [2, 3]");
    }

    @Test
    void logSoftmaxGatherThroughRlFPassesTheF64GradientCheck() {
        Tensor ids = Tensor.ofLongs(new long[] {0, 4, 2}, 3);
        GradCheck.check(in -> RlF.logSoftmaxGather(in[0], ids), GradCheck.randomInput(16, 3, 5));
    }

    /** A PPO step's graph: logits → log-softmax-gather → clipped loss, each backward the CPU backend's kernel. */
    @Test
    void theLossChainBackpropagatesThroughTheBackwardKernels() {
        int rows = N;
        int vocab = 29;
        Tensor logits = Tensor.of(gaussian(17, rows * vocab, 0, 2), rows, vocab).requiresGrad(true);
        int[] t = new int[rows];
        for (int i = 0; i < rows; i++) {
            t[i] = (i * 7) % vocab;
        }
        Tensor ids = Tensor.ofInts(t, rows);
        RlKernels.Clip clip = new RlKernels.Clip(0.2, 0.2, 0);
        Tensor old = Tensor.of(gaussian(18, rows, -3.5, 0.5), rows);
        Tensor adv = Tensor.of(gaussian(19, rows, 0, 1), rows);
        Tensor m = tMask.flatten().to(DType.F32);
        try (var s = Memory.scope()) {
            Tensor logp = RlF.logSoftmaxGather(logits, ids);
            RlF.ppoClipMean(clip, logp, old, adv, m).backward();

            Tensor one = Tensor.of(new float[] {1f}, 1);
            RlKernels.LogProbs<Tensor> fwd = cpu.logSoftmaxGather(logits.detach(), ids);
            RlKernels.Reduced<Tensor> loss = cpu.ppoClip(clip, fwd.logprob(), old, adv, m, false);
            Tensor gLogp = cpu.ppoClipBackward(clip, fwd.logprob(), old, adv, m, one, loss.stats());
            same(logits.grad(), cpu.logSoftmaxGatherBackward(logits.detach(), ids, fwd.lse(), gLogp));
            assertThat(logits.grad().toFloatArray()).as("gradient reached the logits").isNotEqualTo(new float[rows * vocab]);
        }
    }

    @Test
    void constantsThatRequireAGradientAreAnErrorWhileRecording() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {0, 1, 1}, 3);
        Tensor needsGrad = c.detach().requiresGrad(true);
        assertThatThrownBy(() -> RlF.klMean(KlEstimators.Kind.K1, x, needsGrad, c))
                .hasMessageContaining("RlF.klMean differentiates with respect to its first argument only, but ref requires")
                .hasMessageContaining("pass ref.detach()");
        assertThatThrownBy(() -> RlF.ppoClipMean(new RlKernels.Clip(0.2, 0.2, 0), x, c, needsGrad, c))
                .hasMessageContaining("but adv requires a gradient");
        assertThatThrownBy(() -> RlF.maskedMean(x, needsGrad)).hasMessageContaining("but mask requires a gradient");
        try (var g = Grad.disabled()) {
            assertThat(RlF.maskedMean(x, needsGrad).item()).isEqualTo(2.5f);
        }
    }

    @Test
    void gaeAndGroupAdvantagesAreTheKernelsAndCarryNoGradient() {
        Tensor rewards = Tensor.of(gaussian(20, N, 0, 1), BATCH, LEN).requiresGrad(true);
        Tensor values = Tensor.of(gaussian(21, N, 0.5, 1), BATCH, LEN);
        Tensor m = tMask.to(DType.F32);
        RlKernels.Advantages<Tensor> a = RlF.gae(rewards, values, m, 0.99f, 0.95f);
        RlKernels.Advantages<Tensor> b = cpu.gae(rewards.detach(), values, m, 0.99f, 0.95f);
        same(a.advantages(), b.advantages());
        same(a.returns(), b.returns());
        assertThat(a.advantages().requiresGrad()).isFalse();
        Tensor grpo = RlF.groupAdvantages(rewards.flatten(), LEN, GroupAdvantages.Scale.GROUP, 1e-4f);
        same(grpo, cpu.groupAdvantages(rewards.detach().flatten(), LEN, GroupAdvantages.Scale.GROUP, 1e-4f));
        assertThat(grpo.requiresGrad()).isFalse();
    }

    /** RlF's gradient against central differences of {@code f} (an F64 twin) at {@code x}. */
    private static void assertGradient(Tensor grad, double[] x, ToDoubleFunction<double[]> f) {
        double[] analytic = grad.toDoubleArray();
        assertThat(analytic).hasSize(x.length);
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += STEP;
            minus[i] -= STEP;
            double numeric = (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * STEP);
            if (!(Math.abs(analytic[i] - numeric) <= 1e-9 + 1e-5 * Math.abs(numeric))) {
                throw new AssertionError("gradient at " + i + ": RlF " + analytic[i] + ", finite differences " + numeric);
            }
        }
    }

    private static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }
}
