package io.rlhf4j.nn.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The warpers against transformers' TemperatureLogitsWarper, TopKLogitsWarper and TopPLogitsWarper. */
class LogitsWarpersTest {

    private static final Map<String, Tensor> REF = GenerationFixtures.warpers();

    @ParameterizedTest
    @CsvSource({"temperature_0.7, 0.7, 0, 1", "top_k_5, 1, 5, 1", "top_k_1, 1, 1, 1", "top_p_0.9, 1, 0, 0.9",
        "top_p_0.3, 1, 0, 0.3", "top_p_0.01, 1, 0, 0.01", "t0.7_k10_p0.8, 0.7, 10, 0.8",
        "t1.5_k50_p0.95, 1.5, 50, 0.95"})
    void matchesTransformers(String name, double temperature, int topK, double topP) {
        GenerationConfig config = GenerationConfig.defaults().withDoSample(true).withTemperature(temperature)
                .withTopK(topK).withTopP(topP);
        List<LogitsProcessor> chain = LogitsProcessor.warpers(config);
        assertThat(chain).hasSize((temperature != 1 ? 1 : 0) + (topK != 0 ? 1 : 0) + (topP < 1 ? 1 : 0));
        float[] got = LogitsProcessor.applyAll(chain, REF.get("logits")).toFloatArray();
        float[] want = REF.get(name).toFloatArray();
        int removed = 0;
        for (int i = 0; i < want.length; i++) {
            if (want[i] == Float.NEGATIVE_INFINITY) {
                removed++;
                assertThat(got[i]).as("%s element %d", name, i).isEqualTo(Float.NEGATIVE_INFINITY);
            } else {
                assertThat(got[i]).as("%s element %d", name, i).isEqualTo(want[i]);
            }
        }
        assertThat(removed > 0).as("%s removes tokens", name).isEqualTo(topK > 0 || topP < 1);
    }

    @Test
    void orderIsTemperatureThenTopKThenTopP() {
        Tensor logits = REF.get("logits");
        Tensor viaConfig = LogitsProcessor.applyAll(LogitsProcessor.warpers(GenerationConfig.defaults()
                .withDoSample(true).withTemperature(0.7).withTopK(10).withTopP(0.8)), logits);
        Tensor explicit = new TemperatureLogitsWarper(0.7).andThen(new TopKLogitsWarper(10))
                .andThen(new TopPLogitsWarper(0.8)).process(logits);
        assertThat(viaConfig.toFloatArray()).containsExactly(explicit.toFloatArray());
    }

    @Test
    void greedyUsesNoWarpersAndTopKTiesSurvive() {
        assertThat(LogitsProcessor.warpers(GenerationConfig.defaults().withTemperature(0.5))).isEmpty();
        Tensor tied = Tensor.of(new float[] {1, 3, 3, 2, 3, 0}, 1, 6);
        float[] out = new TopKLogitsWarper(2).process(tied).toFloatArray();
        float inf = Float.NEGATIVE_INFINITY;
        assertThat(out).containsExactly(inf, 3, 3, inf, 3, inf);
    }

    @Test
    void topPKeepsAtLeastOneTokenAndValidates() {
        float[] out = new TopPLogitsWarper(0.0).process(Tensor.of(new float[] {0, 5, 1}, 1, 3)).toFloatArray();
        float inf = Float.NEGATIVE_INFINITY;
        assertThat(out).containsExactly(inf, 5, inf);
        assertThatThrownBy(() -> new TopPLogitsWarper(1.5)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new TopKLogitsWarper(0)).hasMessageContaining("top_k");
        assertThatThrownBy(() -> GenerationConfig.defaults().withTemperature(0)).hasMessageContaining("do_sample");
    }
}
