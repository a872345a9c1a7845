package io.rlhf4j.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.AdamW;
import io.rlhf4j.engine.random.Generator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training loop must not grow memory from one step to the next: a two-layer MLP trained for
 * 200 steps of forward, backward, AdamW step and zeroGrad, each step in its own
 * {@link Memory#scope()}, returns the pool to the same bytes in use after every step and stops
 * reserving new blocks after the first few.
 */
class TrainingMemoryTest {

    private static final int STEPS = 200;
    private static final int BATCH = 32;
    private static final int IN = 16;
    private static final int HIDDEN = 64;

    @Test
    void trainingStepsDoNotGrowMemoryAndTheLossFalls() {
        Generator init = Generator.seed(0);
        Tensor teacher = init.normal(new int[] {IN, 1}, 0, 0.15, DType.F32);
        Tensor w1 = init.normal(new int[] {IN, HIDDEN}, 0, 1 / Math.sqrt(IN), DType.F32).requiresGrad(true);
        Tensor b1 = Tensor.zeros(DType.F32, HIDDEN).requiresGrad(true);
        Tensor w2 = init.normal(new int[] {HIDDEN, 1}, 0, 1 / Math.sqrt(HIDDEN), DType.F32).requiresGrad(true);
        Tensor b2 = Tensor.zeros(DType.F32, 1).requiresGrad(true);
        List<Tensor> params = List.of(w1, b1, w2, b2);
        AdamW opt = new AdamW(params, 1e-2);
        Generator data = init.fork("data");

        long[] inUse = new long[STEPS];
        long[] reserved = new long[STEPS];
        double[] losses = new double[STEPS];
        List<Tensor> gradBuffers = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            try (var s = Memory.scope()) {
                Tensor x = data.normal(new int[] {BATCH, IN}, 0, 1, DType.F32);
                Tensor y = x.matmul(teacher).tanh();
                Tensor pred = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
                Tensor loss = pred.sub(y).square().mean();
                loss.backward();
                opt.step();
                opt.zeroGrad();
                losses[step] = loss.item();
            }
            var stats = Memory.pool().stats();
            inUse[step] = stats.bytesInUse();
            reserved[step] = stats.bytesReserved();
            if (step == 0) {
                params.forEach(p -> gradBuffers.add(p.grad()));
            }
        }
        for (int step = 3; step < STEPS; step++) {
            assertThat(inUse[step]).as("bytes in use after step %d", step).isEqualTo(inUse[2]);
        }
        for (int step = 5; step < STEPS; step++) {
            assertThat(reserved[step]).as("bytes reserved after step %d", step).isEqualTo(reserved[4]);
        }
        for (int i = 0; i < params.size(); i++) {
            assertThat(params.get(i).grad()).as("gradient buffer of parameter %d is reused", i)
                    .isSameAs(gradBuffers.get(i));
        }
        assertThat(mean(losses, STEPS - 20, STEPS)).isLessThan(0.1 * mean(losses, 0, 20));
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }
}
