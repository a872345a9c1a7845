package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Merged deltas against what PEFT's merge_utils returns for the same task vectors (fixture
 * merge_utils.safetensors), and SLERP against mergekit's formula run in torch.
 */
class PeftMergeUtilsTest {

    private static final float TOL = 2e-6f;

    private static float[] mergedDelta(MergeConfig config, String param, ModelMerger.DropMasks masks) {
        ModelMerger merger = new ModelMerger(config.withWeights(MergeFixtures.WEIGHTS));
        Tensor base = MergeFixtures.base().get(param);
        return merger.mergedDelta(param, base.shape(), base.toFloatArray(), MergeFixtures.models(), masks);
    }

    private static final ModelMerger.DropMasks NO_MASKS = (name, model, shape) -> {
        throw new AssertionError("no drop masks expected");
    };

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c", "colinear"})
    void taskArithmeticMatchesPeft(String param) {
        float[] got = mergedDelta(MergeConfig.of(MergeMethod.TASK_ARITHMETIC), param, NO_MASKS);
        assertThat(got).containsExactly(MergeFixtures.get("task_arithmetic." + param), within(TOL));
    }

    @ParameterizedTest
    @CsvSource({"a, 0.3", "b, 0.3", "c, 0.3", "colinear, 0.3", "a, 0.6", "b, 0.6", "c, 0.6", "colinear, 0.6"})
    void magnitudePruneMatchesPeft(String param, double density) {
        float[] got = mergedDelta(MergeConfig.of(MergeMethod.MAGNITUDE_PRUNE).withDensity(density), param, NO_MASKS);
        assertThat(got).containsExactly(MergeFixtures.get("magnitude_prune.d" + density + "." + param), within(TOL));
    }

    @ParameterizedTest
    @CsvSource({"a, 0.3, total", "b, 0.3, total", "c, 0.3, total", "colinear, 0.3, total", "a, 0.6, total",
        "c, 0.6, total", "a, 0.3, frequency", "b, 0.3, frequency", "c, 0.6, frequency", "colinear, 0.6, frequency"})
    void tiesMatchesPeft(String param, double density, String signMethod) {
        MergeConfig config = MergeConfig.of(MergeMethod.TIES).withDensity(density).withMajoritySignMethod(signMethod);
        float[] got = mergedDelta(config, param, NO_MASKS);
        float[] want = MergeFixtures.get("ties.d" + density + "." + signMethod + "." + param);
        assertThat(got).containsExactly(want, within(TOL));
        assertThat(got).as("trimming changes the merge").isNotEqualTo(mergedDelta(config.withDensity(1), param, NO_MASKS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c", "colinear"})
    void dareWithPeftsMasksMatchesPeft(String param) {
        ModelMerger.DropMasks masks = (name, model, shape) -> MergeFixtures.get("mask.d0.5.model" + model + "." + name);
        assertThat(mergedDelta(MergeConfig.of(MergeMethod.DARE).withDensity(0.5), param, masks))
                .containsExactly(MergeFixtures.get("dare_linear.d0.5." + param), within(TOL));
        assertThat(mergedDelta(MergeConfig.of(MergeMethod.DARE_TIES).withDensity(0.5), param, masks))
                .containsExactly(MergeFixtures.get("dare_ties.d0.5.total." + param), within(TOL));
    }

    @ParameterizedTest
    @CsvSource({"0.3", "0.7"})
    void slerpMatchesMergekitFormula(double t) {
        ModelMerger merger = new ModelMerger(MergeConfig.of(MergeMethod.SLERP).withT(t));
        Map<String, Tensor> merged = merger.merge(MergeFixtures.base(), List.of(MergeFixtures.models().getFirst()));
        for (String p : MergeFixtures.PARAMS) {
            assertThat(merged.get(p).toFloatArray()).as(p)
                    .containsExactly(MergeFixtures.get("slerp.t" + t + "." + p), within(TOL));
        }
        float[] base = MergeFixtures.get("base.colinear");
        float[] colinear = merged.get("colinear").toFloatArray();
        for (int j = 0; j < base.length; j++) {
            assertThat(colinear[j]).as("colinear vectors interpolate linearly").isCloseTo(
                    (float) ((1 - t) * base[j] + t * 1.5 * base[j]), within(TOL));
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.5, -2.0})
    void mergeAddsLambdaTimesTheMergedDeltaToTheBase(double lambda) {
        MergeConfig config = MergeConfig.of(MergeMethod.TIES).withDensity(0.6).withWeights(MergeFixtures.WEIGHTS)
                .withLambda(lambda);
        Map<String, Tensor> merged = new ModelMerger(config).merge(MergeFixtures.base(), MergeFixtures.models());
        for (String p : MergeFixtures.PARAMS) {
            float[] base = MergeFixtures.get("base." + p);
            float[] delta = MergeFixtures.get("ties.d0.6.total." + p);
            float[] got = merged.get(p).toFloatArray();
            for (int j = 0; j < base.length; j++) {
                assertThat(got[j]).as("%s[%d]", p, j).isCloseTo((float) (base[j] + lambda * delta[j]), within(1e-5f));
            }
        }
    }
}
