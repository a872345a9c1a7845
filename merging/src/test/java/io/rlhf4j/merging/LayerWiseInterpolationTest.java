package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LayerWiseInterpolationTest {

    private static Map<String, Tensor> load(String name) throws IOException {
        return AutoModelForCausalLM.fromPretrained(MergeFixtures.MODELS.resolve(name)).stateDict();
    }

    /** The expected weight of b, by a plain lookup of the name's parts (not the class's patterns). */
    private static double expected(String name, double[] layers, double embedding, double head) {
        String[] parts = name.split("\\.");
        if (parts[0].equals("model") && parts[1].equals("layers") || parts[0].equals("transformer") && parts[1].equals("h")) {
            return layers[Integer.parseInt(parts[2])];
        }
        if (name.startsWith("lm_head") || parts[1].equals("norm") || parts[1].equals("ln_f")) {
            return head;
        }
        assertThat(parts[1]).isIn("embed_tokens", "wte", "wpe");
        return embedding;
    }

    @ParameterizedTest
    @CsvSource({"llama_base, llama_ft1", "gpt2_a, gpt2_b"})
    void eachParameterMixesByItsLayersWeight(String a, String b) throws IOException {
        Map<String, Tensor> sa = load(a);
        Map<String, Tensor> sb = load(b);
        double[] layers = {0.0, 0.8};
        checkMix(sa, sb, LayerWiseInterpolation.interpolate(sa, sb, layers), layers, 0.0, 0.8);
        checkMix(sa, sb, LayerWiseInterpolation.interpolate(sa, sb, layers, 0.3, 1.0), layers, 0.3, 1.0);
        checkMix(sa, sb, ModelMerger.layerWiseInterpolation(sa, sb, layers), layers, 0.0, 0.8);
    }

    private static void checkMix(Map<String, Tensor> a, Map<String, Tensor> b, Map<String, Tensor> got, double[] layers,
            double embedding, double head) {
        assertThat(got.keySet()).containsExactlyElementsOf(a.keySet());
        got.forEach((name, t) -> {
            double w = expected(name, layers, embedding, head);
            float[] x = a.get(name).toFloatArray();
            float[] y = b.get(name).toFloatArray();
            float[] z = t.toFloatArray();
            for (int j = 0; j < z.length; j++) {
                assertThat(z[j]).as("%s[%d]", name, j).isCloseTo((float) (x[j] + w * (y[j] - x[j])), within(1e-6f));
            }
        });
    }

    @Test
    void wrongLayerCountAndUnknownNamesAreErrors() throws IOException {
        Map<String, Tensor> sa = load("llama_base");
        assertThatThrownBy(() -> LayerWiseInterpolation.interpolate(sa, sa, new double[] {0.5}))
                .hasMessageContaining("1 entries for a model with 2 decoder layers");
        Map<String, Tensor> odd = Map.of("score.weight", Tensor.zeros(DType.F32, 2));
        assertThatThrownBy(() -> LayerWiseInterpolation.interpolate(odd, odd, new double[0], 0, 0))
                .hasMessageContaining("score.weight");
    }
}
