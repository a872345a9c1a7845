package io.rlhf4j.engine.backend;

import static io.rlhf4j.engine.cuda.GpuTestSupport.gaussian;
import static io.rlhf4j.engine.cuda.GpuTestSupport.poisonPadding;
import static io.rlhf4j.engine.cuda.GpuTestSupport.raggedMask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaRuntime;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.rl.CpuRlKernels;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The CPU backend through the SPI gives bitwise what the CPU twins give when called directly. */
class CpuBackendTest {

    private static final int BATCH = 7;
    private static final int LEN = 13;
    private static final int N = BATCH * LEN;

    private final Backend spi = Backend.of(Device.CPU);
    private final CpuRlKernels direct = new CpuRlKernels();
    private final float[] mask = raggedMask(1, BATCH, LEN, 2);
    private final Tensor tMask = Tensor.of(mask, BATCH, LEN);
    private final Tensor logp = Tensor.of(poisonPadding(gaussian(2, N, -2, 1), mask), BATCH, LEN);
    private final Tensor other = Tensor.of(gaussian(3, N, -2, 1), BATCH, LEN);
    private final Tensor grad = Tensor.of(new float[] {1.25f}, 1);

    @Test
    void cpuIsTheBackendOfTheCpuAndOfAutoWithoutADriver() {
        assertThat(spi).isInstanceOf(CpuBackend.class);
        assertThat(spi.device()).isEqualTo(Device.CPU);
        if (CudaRuntime.isAvailable()) {
            assertThat(Backend.of(Device.auto())).isInstanceOf(CudaBackend.class);
        } else {
            assertThat(Backend.of(Device.auto())).isSameAs(spi);
            assertThat(spi.toString()).isEqualTo("cpu (CUDA unavailable: " + CudaRuntime.unavailableReason() + ")")
                    .doesNotContain("\n");
            assertThatThrownBy(() -> Backend.of(new Device(Device.Kind.CUDA, 0)))
                    .hasMessageContaining("CUDA is unavailable: " + CudaRuntime.unavailableReason());
        }
    }

    @Test
    void copiesOnTheCpuAreTheTensorItselfOrAContiguousCopyInTheOwnersScope() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(spi.fromHost(t)).isSameAs(t);
        assertThat(spi.toHost(t)).isSameAs(t);
        Tensor kept;
        try (var outer = Memory.scope()) {
            try (var inner = Memory.scope()) {
                kept = spi.copy(t.transpose(0, 1), outer);
            }
            assertThat(kept.isContiguous()).isTrue();
            assertThat(kept.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
            assertThat(kept.storage().owner()).isSameAs(outer);
        }
        assertThat(kept.storage().isReleased()).isTrue();
    }

    @Test
    void logSoftmaxGatherAndItsBackward() {
        Tensor logits = Tensor.of(gaussian(4, 5 * 37, 0, 3), 5, 37);
        Tensor targets = Tensor.ofInts(new int[] {3, -100, 36, 37, 0}, 5);
        RlKernels.LogProbs<Tensor> a = spi.logSoftmaxGather(logits, targets);
        RlKernels.LogProbs<Tensor> b = direct.logSoftmaxGather(logits, targets);
        same(a.logprob(), b.logprob());
        same(a.lse(), b.lse());
        Tensor g = Tensor.of(gaussian(5, 5, 0, 1), 5);
        same(spi.logSoftmaxGatherBackward(logits, targets, a.lse(), g),
                direct.logSoftmaxGatherBackward(logits, targets, b.lse(), g));
    }

    @Test
    void gaeAndGroupAdvantages() {
        RlKernels.Advantages<Tensor> a = spi.gae(other, logp.maskedFill(tMask.eq(0), 0), tMask, 0.99f, 0.95f);
        RlKernels.Advantages<Tensor> b = direct.gae(other, logp.maskedFill(tMask.eq(0), 0), tMask, 0.99f, 0.95f);
        same(a.advantages(), b.advantages());
        same(a.returns(), b.returns());
        for (GroupAdvantages.Scale scale : GroupAdvantages.Scale.values()) {
            same(spi.groupAdvantages(other.flatten(), LEN, scale, 1e-4f),
                    direct.groupAdvantages(other.flatten(), LEN, scale, 1e-4f));
        }
    }

    @ParameterizedTest
    @EnumSource(KlEstimators.Kind.class)
    void klAndItsBackward(KlEstimators.Kind kind) {
        RlKernels.Reduced<Tensor> a = spi.kl(kind, logp, other, tMask, true);
        RlKernels.Reduced<Tensor> b = direct.kl(kind, logp, other, tMask, true);
        same(a.stats(), b.stats());
        same(a.perToken(), b.perToken());
        same(spi.klBackward(kind, logp, other, tMask, grad, a.stats()),
                direct.klBackward(kind, logp, other, tMask, grad, b.stats()));
    }

    @Test
    void ppoClipWithPerTokenAndPerSequenceAdvantages() {
        for (int advLen : new int[] {0, LEN}) {
            RlKernels.Clip clip = new RlKernels.Clip(0.2, 0.28, advLen);
            Tensor adv = Tensor.of(gaussian(6, advLen == 0 ? N : BATCH, 0, 1), advLen == 0 ? N : BATCH);
            Tensor lp = logp.flatten();
            Tensor old = other.flatten();
            Tensor m = tMask.flatten();
            RlKernels.Reduced<Tensor> a = spi.ppoClip(clip, lp, old, adv, m, true);
            RlKernels.Reduced<Tensor> b = direct.ppoClip(clip, lp, old, adv, m, true);
            same(a.stats(), b.stats());
            same(a.perToken(), b.perToken());
            same(spi.ppoClipBackward(clip, lp, old, adv, m, grad, a.stats()),
                    direct.ppoClipBackward(clip, lp, old, adv, m, grad, b.stats()));
        }
    }

    @Test
    void maskedMeanAndItsBackward() {
        RlKernels.Reduced<Tensor> a = spi.maskedMean(logp, tMask);
        RlKernels.Reduced<Tensor> b = direct.maskedMean(logp, tMask);
        same(a.stats(), b.stats());
        assertThat(a.perToken()).isNull();
        same(spi.maskedMeanBackward(tMask, grad, a.stats()), direct.maskedMeanBackward(tMask, grad, b.stats()));
    }

    /** Bitwise equal: same dtype, shape and bits (NaN payloads included). */
    static void same(Tensor actual, Tensor expected) {
        assertThat(actual.dtype()).isEqualTo(expected.dtype());
        assertThat(actual.shape()).containsExactly(expected.shape());
        float[] a = actual.to(DType.F32).toFloatArray();
        float[] e = expected.to(DType.F32).toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i])) {
                throw new AssertionError("element " + i + ": " + a[i] + " vs " + e[i]);
            }
        }
    }
}
