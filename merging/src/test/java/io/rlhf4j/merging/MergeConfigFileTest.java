package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MergeConfigFileTest {

    @Test
    void readsYamlWithDefaults() {
        MergeConfig c = MergeConfigFile.parse("""
                base_model: base
                models: [a, b]
                output_dir: out
                method: ties
                weights: [0.6, 0.4]
                density: 0.5
                """, false, "merge.yaml");
        assertThat(c.method()).isEqualTo(MergeMethod.TIES);
        assertThat(c.models()).containsExactly("a", "b");
        assertThat(c.weights()).containsExactly(0.6, 0.4);
        assertThat(c.density()).isEqualTo(0.5);
        assertThat(c.majoritySignMethod()).isEqualTo("total");
        assertThat(c.lambda()).isEqualTo(1.0);
        assertThat(c.t()).isEqualTo(0.5);
        assertThat(c.seed()).isEqualTo(42);
        assertThat(c.normalize()).isFalse();
    }

    @Test
    void readsJsonAndDareLinearSpelling() {
        MergeConfig c = MergeConfigFile.parse("{\"method\": \"dare_linear\", \"density\": 0.2, \"seed\": 7, "
                + "\"normalize\": true, \"lambda\": 0.5}", true, "m.json");
        assertThat(c.method()).isEqualTo(MergeMethod.DARE);
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.normalize()).isTrue();
        assertThat(c.lambda()).isEqualTo(0.5);
        assertThat(c.models()).isEqualTo(List.of());
    }

    @Test
    void errorsNameFileLineAndKey() {
        assertThatThrownBy(() -> MergeConfigFile.parse("method: ties\ndensty: 0.5\n", false, "merge.yaml"))
                .hasMessageStartingWith("merge.yaml:2: unknown key 'densty'");
        assertThatThrownBy(() -> MergeConfigFile.parse("method: average\n", false, "merge.yaml"))
                .hasMessageContaining("merge.yaml").hasMessageContaining("unknown merge method 'average'");
        assertThatThrownBy(() -> MergeConfigFile.parse("method: ties\ndensity: 1.5\n", false, "merge.yaml"))
                .hasMessageContaining("density must be in (0, 1]");
        assertThatThrownBy(() -> MergeConfigFile.parse("models: [a]\n", false, "merge.yaml"))
                .hasMessageContaining("merge.yaml").hasMessageContaining("method");
    }
}
