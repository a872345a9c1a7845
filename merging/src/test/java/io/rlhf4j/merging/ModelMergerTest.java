package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The random part of DARE, weight normalisation, and the checks on the inputs. */
class ModelMergerTest {

    private static Map<String, Tensor> single(String name, Tensor t) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(name, t);
        return m;
    }

    @Test
    void dareKeepsAboutDensityOfEachDeltaRescaledAndIsReproducibleBySeed() {
        int n = 200_000;
        Tensor base = Tensor.zeros(DType.F32, n);
        Tensor model = Generator.seed(3).normal(new int[] {n}, 0, 1, DType.F32);
        MergeConfig config = MergeConfig.of(MergeMethod.DARE).withDensity(0.3).withSeed(5);
        float[] merged = new ModelMerger(config).merge(single("w", base), List.of(single("w", model)))
                .get("w").toFloatArray();
        float[] delta = model.toFloatArray();
        int kept = 0;
        for (int j = 0; j < n; j++) {
            if (merged[j] != 0) {
                kept++;
                assertThat(merged[j]).isEqualTo(delta[j] / 0.3f);
            }
        }
        // Binomial(n, 0.3): standard deviation sqrt(n·0.3·0.7) ≈ 205, so 0.3 ± 0.005 is over 4.8 sigma.
        assertThat(kept / (double) n).isCloseTo(0.3, within(0.005));
        float[] again = new ModelMerger(config).merge(single("w", base), List.of(single("w", model))).get("w")
                .toFloatArray();
        assertThat(again).containsExactly(merged);
        float[] otherSeed = new ModelMerger(config.withSeed(6)).merge(single("w", base), List.of(single("w", model)))
                .get("w").toFloatArray();
        assertThat(otherSeed).isNotEqualTo(merged);
    }

    @Test
    void normalizeDividesTheWeightsByTheirSum() {
        MergeConfig plain = MergeConfig.of(MergeMethod.TASK_ARITHMETIC).withWeights(0.25, 0.75, 0.0);
        MergeConfig normalized = MergeConfig.of(MergeMethod.TASK_ARITHMETIC).withWeights(1, 3, 0).withNormalize(true);
        Map<String, Tensor> a = new ModelMerger(plain).merge(MergeFixtures.base(), MergeFixtures.models());
        Map<String, Tensor> b = new ModelMerger(normalized).merge(MergeFixtures.base(), MergeFixtures.models());
        for (String p : MergeFixtures.PARAMS) {
            assertThat(b.get(p).toFloatArray()).containsExactly(a.get(p).toFloatArray(), within(1e-6f));
        }
        float[] base = MergeFixtures.get("base.a");
        float[] m0 = MergeFixtures.get("model0.a");
        float[] m1 = MergeFixtures.get("model1.a");
        float[] got = b.get("a").toFloatArray();
        for (int j = 0; j < got.length; j++) {
            assertThat(got[j]).isCloseTo(0.25f * m0[j] + 0.75f * m1[j], within(1e-5f));
        }
        assertThatThrownBy(() -> MergeConfig.of(MergeMethod.TASK_ARITHMETIC).withWeights(1, -1).withNormalize(true)
                .effectiveWeights(2)).hasMessageContaining("sum to 0");
    }

    @Test
    void taskVectorIsModelMinusBase() {
        Map<String, Tensor> delta = ModelMerger.taskVector(MergeFixtures.base(), MergeFixtures.models().get(1));
        float[] base = MergeFixtures.get("base.c");
        float[] model = MergeFixtures.get("model1.c");
        float[] got = delta.get("c").toFloatArray();
        for (int j = 0; j < got.length; j++) {
            assertThat(got[j]).isEqualTo(model[j] - base[j]);
        }
    }

    @Test
    void mismatchedStateDictsAreRefusedNamingTheParameter() {
        ModelMerger merger = new ModelMerger(MergeConfig.of(MergeMethod.TASK_ARITHMETIC));
        Map<String, Tensor> base = single("w", Tensor.zeros(DType.F32, 2, 3));
        assertThatThrownBy(() -> merger.merge(base, List.of(single("w", Tensor.zeros(DType.F32, 3, 2)))))
                .hasMessageContaining("model 0").hasMessageContaining("w has shape [3, 2]");
        assertThatThrownBy(() -> merger.merge(base, List.of(single("v", Tensor.zeros(DType.F32, 2, 3)))))
                .hasMessageContaining("missing parameters [w]").hasMessageContaining("[v]");
        assertThatThrownBy(() -> merger.merge(base, List.of(single("w", Tensor.zeros(DType.BF16, 2, 3)))))
                .hasMessageContaining("w is BF16 where the base model is F32");
        assertThatThrownBy(() -> merger.merge(base, List.of())).hasMessageContaining("no models");
        assertThatThrownBy(() -> new ModelMerger(MergeConfig.of(MergeMethod.SLERP))
                .merge(base, List.of(base, base))).hasMessageContaining("exactly one model, got 2");
        assertThatThrownBy(() -> MergeConfig.of(MergeMethod.TIES).withDensity(0))
                .hasMessageContaining("density must be in (0, 1]");
        assertThatThrownBy(() -> new ModelMerger(MergeConfig.of(MergeMethod.TIES).withWeights(1, 2))
                .merge(base, List.of(base))).hasMessageContaining("weights has 2 entries for 1 models");
    }

    @Test
    void bf16ParametersStayBf16() {
        Map<String, Tensor> base = single("w", Tensor.of(new float[] {1, 2, 3, 4}, 4).to(DType.BF16));
        Map<String, Tensor> model = single("w", Tensor.of(new float[] {2, 2, 5, 4}, 4).to(DType.BF16));
        Tensor merged = new ModelMerger(MergeConfig.of(MergeMethod.TASK_ARITHMETIC).withWeights(0.5))
                .merge(base, List.of(model)).get("w");
        assertThat(merged.dtype()).isEqualTo(DType.BF16);
        assertThat(merged.to(DType.F32).toFloatArray()).containsExactly(1.5f, 2f, 4f, 4f);
    }
}
