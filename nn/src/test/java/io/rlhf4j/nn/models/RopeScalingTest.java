package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.ops.fused.RotaryTables;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RopeScalingTest {

    /** The inverse frequencies equal transformers' rotary_emb.inv_freq bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "llama_linear_bf16", "qwen3", "smollm_tied"})
    void inverseFrequenciesMatchTransformersExactly(String name) throws IOException {
        ModelConfig c = ModelConfig.read(Fixtures.dir(name));
        float[] ours = c.ropeScaling().inverseFrequencies(RotaryTables.defaultInverseFrequencies(c.headDim(), c.ropeTheta()));
        float[] theirs = Fixtures.reference(name).get("rotary.inv_freq").toFloatArray();
        assertThat(ours).containsExactly(theirs);
    }

    /**
     * The llama3 fixture (head_dim 16, theta 1e4, original 64, low 1, high 4) has frequencies in all
     * three bands: wavelengths below 16 untouched, above 64 divided by 8, between interpolated.
     */
    @Test
    void llama3FixtureCoversAllThreeBands() throws IOException {
        ModelConfig c = ModelConfig.read(Fixtures.dir("llama_gqa_llama3"));
        float[] base = RotaryTables.defaultInverseFrequencies(c.headDim(), c.ropeTheta());
        float[] scaled = c.ropeScaling().inverseFrequencies(base);
        int kept = 0;
        int divided = 0;
        int between = 0;
        for (int i = 0; i < base.length; i++) {
            double wavelen = 2 * Math.PI / base[i];
            if (wavelen < 16) {
                assertThat(scaled[i]).isEqualTo(base[i]);
                kept++;
            } else if (wavelen > 64) {
                assertThat((double) scaled[i]).isCloseTo(base[i] / 8.0, org.assertj.core.data.Offset.offset(1e-7 * base[i]));
                divided++;
            } else {
                double smooth = (64 / wavelen - 1) / 3;
                double expected = (1 - smooth) * base[i] / 8 + smooth * base[i];
                assertThat((double) scaled[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6 * base[i]));
                between++;
            }
        }
        assertThat(kept).isPositive();
        assertThat(divided).isPositive();
        assertThat(between).isPositive();
    }

    @Test
    void linearDividesEveryFrequency() {
        float[] out = RopeScaling.linear(4).inverseFrequencies(new float[] {1f, 0.5f, 0.01f});
        assertThat(out).containsExactly(0.25f, 0.125f, 0.0025f);
    }

    @Test
    void rejectsInconsistentLlama3Parameters() {
        assertThatThrownBy(() -> RopeScaling.llama3(8, 4, 1, 8192)).hasMessageContaining("high_freq_factor");
    }
}
