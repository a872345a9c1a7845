package io.rlhf4j.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptimizerStateTest {

    private static final int[][] SHAPES = {{1000}, {33, 7}, {5}};

    private static List<Tensor> freshParams() {
        Generator g = Generator.seed(1);
        List<Tensor> params = new ArrayList<>();
        for (int[] s : SHAPES) {
            params.add(g.normal(s, 0, 1, DType.F32).requiresGrad(true));
        }
        return params;
    }

    /** Deterministic gradients for step {@code step}. */
    private static void setGrads(List<Tensor> params, int step) {
        Generator g = Generator.seed(100 + step);
        for (Tensor p : params) {
            p.setGrad(g.normal(p.shape(), 0, 1 + step, DType.F32));
        }
    }

    private static void run(Optimizer opt, List<Tensor> params, int from, int to) {
        for (int step = from; step < to; step++) {
            setGrads(params, step);
            opt.step();
        }
    }

    @Test
    void resumingFromAStateDictIsBitwiseIdenticalToRunningThrough() {
        checkResume(p -> new AdamW(p, 1e-2));
        checkResume(p -> new SGD(p, 0.1, 0.9, 0.1, 0.01, false));
        checkResume(p -> new SGD(p, 0.1, 0.9, 0, 0.01, true));
    }

    private static void checkResume(Function<List<Tensor>, Optimizer> make) {
        List<Tensor> through = freshParams();
        run(make.apply(through), through, 0, 5);

        List<Tensor> resumedParams = freshParams();
        Optimizer first = make.apply(resumedParams);
        run(first, resumedParams, 0, 3);
        StateDict saved = first.stateDict();
        List<Tensor> copies = new ArrayList<>();
        for (Tensor p : resumedParams) {
            copies.add(p.detach().escape().requiresGrad(true));
        }
        Optimizer second = make.apply(copies);
        second.loadStateDict(saved);
        run(second, copies, 3, 5);
        for (int i = 0; i < through.size(); i++) {
            assertThat(copies.get(i).toFloatArray()).containsExactly(through.get(i).toFloatArray());
        }
    }

    @Test
    void stateDictNamesFollowTorchAndSkipParametersWithoutState() {
        List<Tensor> params = freshParams();
        AdamW opt = new AdamW(params, 1e-3);
        params.get(0).setGrad(Tensor.ones(DType.F32, 1000));
        opt.step();
        opt.step();
        StateDict s = opt.stateDict();
        assertThat(s.tensors().keySet()).containsExactlyInAnyOrder("state.0.exp_avg", "state.0.exp_avg_sq");
        assertThat(s.scalars()).containsEntry("state.0.step", 2.0).containsEntry("param_groups.0.lr", 1e-3)
                .containsEntry("param_groups.0.weight_decay", 0.01);
        // a snapshot: later steps do not change it
        float before = s.tensors().get("state.0.exp_avg").toFloatArray()[0];
        opt.step();
        assertThat(s.tensors().get("state.0.exp_avg").toFloatArray()[0]).isEqualTo(before);
        assertThatThrownBy(() -> opt.loadStateDict(new StateDict(Map.of(), Map.of("state.9.step", 1.0))))
                .hasMessageContaining("index 9");
        assertThatThrownBy(() -> opt.loadStateDict(new StateDict(
                Map.of("state.1.exp_avg", Tensor.zeros(DType.F32, 3)), Map.of()))).hasMessageContaining("shape");
    }

    @Test
    void parametersWithoutAGradientAreSkipped() {
        List<Tensor> params = freshParams();
        float[] untouched = params.get(1).toFloatArray();
        AdamW opt = new AdamW(params, 1e-2);
        params.get(0).setGrad(Tensor.ones(DType.F32, 1000));
        opt.step();
        assertThat(params.get(1).toFloatArray()).containsExactly(untouched);
        assertThat(params.get(0).toFloatArray()[0]).isNotEqualTo(freshParams().get(0).toFloatArray()[0]);
    }

    @Test
    void stateIsAllocatedOutsideTheStepScope() {
        List<Tensor> params = freshParams();
        AdamW opt = new AdamW(params, 1e-2);
        long inUse = Memory.pool().stats().bytesInUse();
        try (var s = Memory.scope()) {
            setGrads(params, 0);
            opt.step();
        }
        assertThat(Memory.pool().stats().bytesInUse()).isEqualTo(inUse);
        assertThat(opt.stateDict().tensors().get("state.0.exp_avg").toFloatArray()[0]).isNotZero();
    }

    @Test
    void kernelsGiveTheSameBitsWhereverAChunkBoundaryFalls() {
        int n = 1000;
        Generator g = Generator.seed(5);
        Tensor grad = g.normal(new int[] {n}, 0, 1, DType.F32);
        var c = new OptimKernels.AdamCoefficients(1 - 1e-4, 0.9, 0.999, 1e-2 / 0.1, Math.sqrt(0.001), 1e-8);
        float[][] results = new float[2][];
        int[][] splits = {{0, n}, {0, 13, 14, 515, n}};
        for (int r = 0; r < 2; r++) {
            Tensor p = Generator.seed(6).normal(new int[] {n}, 0, 1, DType.F32);
            Tensor m = Generator.seed(7).normal(new int[] {n}, 0, 1, DType.F32);
            Tensor v = Generator.seed(8).uniform(new int[] {n}, 0, 1, DType.F32);
            for (int k = 0; k + 1 < splits[r].length; k++) {
                OptimKernels.adamwF32(p.segment(), 0, grad.segment(), 0, m.segment(), v.segment(),
                        splits[r][k], splits[r][k + 1], c);
            }
            results[r] = p.toFloatArray();
        }
        assertThat(results[1]).containsExactly(results[0]);
    }
}
