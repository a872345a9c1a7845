package io.rlhf4j.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Backward frees each gradient as soon as its last consumer has used it, so the peak of a step is
 * the forward activations plus a few layers' worth of gradients, not every gradient of the pass;
 * and freeing early changes no bit of any gradient.
 */
class BackwardMemoryTest {

    private static final int BATCH = 64;
    private static final int WIDTH = 64;
    private static final int LAYERS = 16;
    /** One [BATCH, WIDTH] or [WIDTH, WIDTH] F32 buffer: 16 KiB, its own exact pool size class. */
    private static final long BLOCK = (long) BATCH * WIDTH * 4;

    @Test
    void adoptMovesStorageToTheOuterScopeWithoutACopy() {
        long before = Memory.pool().stats().bytesInUse();
        Tensor kept;
        try (var outer = Memory.scope()) {
            try (var inner = Memory.scope()) {
                kept = Tensor.ones(DType.F32, 1000);
                outer.adopt(kept.storage());
            }
            assertThat(kept.storage().owner()).isSameAs(outer);
            assertThat(kept.toFloatArray()[999]).isEqualTo(1f);
        }
        assertThat(Memory.pool().stats().bytesInUse()).isEqualTo(before);
        assertThatThrownBy(kept::toFloatArray).hasMessageContaining("after its Memory.scope() closed");
    }

    @Test
    void freeReturnsMemoryAtOnceAndPoisonsViews() {
        try (var s = Memory.scope()) {
            long before = Memory.pool().stats().bytesInUse();
            Tensor t = Tensor.ones(DType.F32, 10, 100);
            Tensor view = t.mT();
            s.free(t.storage());
            assertThat(Memory.pool().stats().bytesInUse()).isEqualTo(before);
            assertThatThrownBy(view::toFloatArray).hasMessageContaining("after its Memory.scope() closed");
            assertThatThrownBy(() -> s.free(t.storage())).isInstanceOf(IllegalStateException.class);
        }
        Tensor gcManaged = Tensor.ones(DType.F32, 4);
        try (var s = Memory.scope()) {
            assertThatThrownBy(() -> s.adopt(gcManaged.storage())).hasMessageContaining("not pooled");
        }
    }

    @Test
    void peakOfADeepMlpStepIsTheActivationsPlusAFewLayers() {
        List<Tensor> weights = weights();
        Tensor x = Generator.seed(1).normal(new int[] {BATCH, WIDTH}, 0, 1, DType.F32);
        CpuMemoryPool pool = Memory.pool();
        long peak;
        try (var s = Memory.scope()) {
            long base = pool.stats().bytesInUse();
            pool.resetPeak();
            Tensor h = x;
            for (Tensor w : weights) {
                h = h.matmul(w).tanh();
            }
            Tensor loss = h.square().mean();
            long forward = pool.stats().bytesInUse() - base;
            // Every layer keeps its product and its tanh, plus the square: (2L + 1) blocks; mean is a
            // sum and a division: two scalars of one 64-byte block each.
            assertThat(forward).isEqualTo((2L * LAYERS + 1) * BLOCK + 2 * 64);
            loss.backward();
            peak = pool.stats().peakBytesInUse() - base;
            assertThat(pool.stats().bytesInUse() - base).as("after backward only the forward's tensors remain "
                    + "(and the seed gradient)").isLessThanOrEqualTo(forward + 64);
        }
        long activations = (2L * LAYERS + 1) * BLOCK;
        // Without early release backward would add 3 blocks per layer (two activation gradients and
        // a weight gradient): 48 more. With it, a handful of layer-sized buffers are live at once.
        assertThat(peak).isGreaterThan(activations).isLessThanOrEqualTo(activations + 6 * BLOCK + 1024);
    }

    @Test
    void earlyReleaseChangesNoGradientBit() {
        Function<List<Tensor>, List<float[]>> run = ws -> {
            Tensor x = Generator.seed(2).normal(new int[] {BATCH, WIDTH}, 0, 1, DType.F32);
            Tensor h = x;
            for (Tensor w : ws) {
                Tensor y = h.matmul(w);
                // Gradients that alias: x + x, a view (transpose, reshape) of the incoming gradient,
                // one tensor read by several nodes.
                h = y.add(y).tanh().mul(y.mT().mT()).reshape(WIDTH, BATCH).reshape(BATCH, WIDTH).add(h);
            }
            h.square().mean().backward();
            List<float[]> grads = new ArrayList<>();
            ws.forEach(w -> grads.add(w.grad().toFloatArray()));
            return grads;
        };
        List<float[]> unscoped = run.apply(weights());
        List<float[]> scoped;
        try (var s = Memory.scope()) {
            scoped = run.apply(weights());
        }
        for (int i = 0; i < LAYERS; i++) {
            assertThat(scoped.get(i)).as("gradient of weight %d", i).containsExactly(unscoped.get(i));
        }
    }

    private static List<Tensor> weights() {
        Generator g = Generator.seed(0);
        List<Tensor> ws = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            ws.add(g.normal(new int[] {WIDTH, WIDTH}, 0, 1 / Math.sqrt(WIDTH), DType.F32).requiresGrad(true));
        }
        return ws;
    }
}
