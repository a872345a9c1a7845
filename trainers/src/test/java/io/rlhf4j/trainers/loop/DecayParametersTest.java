package io.rlhf4j.trainers.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.data.StepSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecayParametersTest {

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The same names as transformers' Trainer.get_decay_parameter_names on the same models. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2", "qwen3", "smollm_tied"})
    void decaysWhatTransformersDecays(String name) {
        JsonNode expected = TestAssets.fixture("decay_names.json").get(name);
        PreTrainedCausalLM model = TestAssets.model(name);
        assertThat(model.namedParameters().keySet()).containsExactlyInAnyOrderElementsOf(strings(expected.get("all")));
        assertThat(DecayParameters.decayNames(model)).containsExactlyInAnyOrderElementsOf(strings(expected.get("decay")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2"})
    void optimizerGroupsCarryTheConfiguredDecay(String name) {
        PreTrainedCausalLM model = TestAssets.model(name);
        SFTConfig config = new SFTConfig();
        config.weightDecay = 0.1;
        config.learningRate = 1e-3;
        config.maxSteps = 10;
        OptimizerFactory.Setup s = OptimizerFactory.create(model, config,
                StepSchedule.compute(config, OptionalLong.of(8), false));
        var groups = s.optimizer().paramGroups();
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).weightDecay()).isEqualTo(0.1);
        assertThat(groups.get(1).weightDecay()).isEqualTo(0.0);
        List<Tensor> decayed = DecayParameters.decayNames(model).stream()
                .map(n -> model.namedParameters().get(n).tensor()).toList();
        assertThat(groups.get(0).params()).containsExactlyElementsOf(decayed);
        assertThat(s.params()).hasSize(model.namedParameters().size());
        // linear schedule without warmup: the rate starts at learning_rate
        assertThat(s.optimizer().lr()).isEqualTo(1e-3);
    }
}
