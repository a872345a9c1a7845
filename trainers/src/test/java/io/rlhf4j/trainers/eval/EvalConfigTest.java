package io.rlhf4j.trainers.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalConfigTest {

    private static EvalConfig parse(String yaml, String... overrides) {
        return ConfigLoader.parse(yaml, ConfigLoader.Format.YAML, EvalConfig.class, List.of(overrides), "eval.yaml");
    }

    @Test
    void exampleConfigLoads() {
        EvalConfig c = ConfigLoader.load(TestAssets.EXAMPLES.resolve("eval.yaml"), EvalConfig.class, List.of());
        assertThat(c.thresholds).containsEntry("kl_max", 1.0).containsEntry("win_rate_min", 0.3);
        assertThat(c.numSamples).isEqualTo(4);
        for (EvalMetrics g : EvalMetrics.values()) {
            assertThat(g.enabled(c)).as(g.name()).isTrue();
        }
    }

    @Test
    void thresholdsComeFromTheFileOrReplaceViaSet() {
        String yaml = "model_name_or_path: m\nreference_model: r\nprompt_file: p\nthresholds:\n  kl_max: 0.1\n";
        assertThat(parse(yaml).thresholds).containsExactlyEntriesOf(Map.of("kl_max", 0.1));
        EvalConfig c = parse(yaml, "thresholds=kl_max:0.5,distinct_1_min:0.2");
        assertThat(c.thresholds).containsEntry("kl_max", 0.5).containsEntry("distinct_1_min", 0.2).hasSize(2);
    }

    @Test
    void unknownThresholdIsAnErrorNamingTheKeyAndLine() {
        assertThatThrownBy(() -> parse("num_samples: 2\nthresholds:\n  kl_mx: 0.1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("eval.yaml:2: thresholds.kl_mx");
    }

    @Test
    void thresholdOnAMetricWhoseInputsAreMissingNamesThem() {
        assertThatThrownBy(() -> parse("model_name_or_path: m\nthresholds: {kl_max: 0.1}\n"))
                .hasMessageContaining("thresholds.kl_max gates kl, which needs [reference_model, prompt_file]");
        assertThatThrownBy(() -> parse("", "thresholds=reward_accuracy_min:0.6"))
                .hasMessageContaining("--set thresholds=reward_accuracy_min:0.6: thresholds.reward_accuracy_min")
                .hasMessageContaining("[reward_model, preference_file]");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> parse("num_samples: 0\ntemperature: -1\n"))
                .hasMessageContaining("eval.yaml:1: num_samples must be >= 1, got 0")
                .hasMessageContaining("eval.yaml:2: temperature must be > 0, got -1");
        assertThatThrownBy(() -> parse("", "thresholds=kl_max"))
                .hasMessageContaining("--set thresholds=kl_max: thresholds takes name:value entries");
        assertThatThrownBy(() -> parse("train_file: x.jsonl\n"))
                .hasMessageContaining("eval.yaml:1: eval reads prompt_file");
        assertThatThrownBy(() -> parse("thresholds: [1, 2]\n")).hasMessageContaining("thresholds takes a mapping");
    }
}
