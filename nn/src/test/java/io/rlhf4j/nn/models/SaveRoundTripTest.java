package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saving writes transformers' layout. The models saved from the fixtures are committed under
 * models/java_saved/ and checked by transformers (make_model_fixtures.py --check-java-saved,
 * output in java_saved/check.txt); this test keeps that folder current. Regenerate it with
 * {@code ./mvnw -pl engine,nn test -Dtest=SaveRoundTripTest -Drlhf4j.regenerateFixtures=true},
 * then rerun the script's check.
 */
class SaveRoundTripTest {

    static final Path JAVA_SAVED = Fixtures.MODELS.resolve("java_saved");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "gpt2", "llama_linear_bf16"})
    void savedModelReloadsWithIdenticalWeightsAndLogits(String name) throws IOException {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        model.save(tmp);
        PreTrainedCausalLM again = AutoModelForCausalLM.fromPretrained(tmp);
        assertThat(again.stateDict().keySet()).containsExactlyElementsOf(model.stateDict().keySet());
        Map<String, Tensor> ref = Fixtures.reference(name);
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            Tensor ids = ref.get("padded.input_ids");
            Tensor mask = ref.get("padded.attention_mask");
            assertThat(again.forward(ids, mask, null).toFloatArray())
                    .containsExactly(model.forward(ids, mask, null).toFloatArray());
        }
        var config = new ObjectMapper().readTree(tmp.resolve("config.json").toFile());
        assertThat(config.get("dtype").asText()).isEqualTo("float32");
        assertThat(config.get("architectures").get(0).asText()).isEqualTo(model.config().architecture());
    }

    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "gpt2"})
    void committedJavaSavedModelIsWhatSaveWritesToday(String name) throws IOException {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        if (Boolean.getBoolean("rlhf4j.regenerateFixtures")) {
            model.save(JAVA_SAVED.resolve(name));
        }
        model.save(tmp);
        for (String file : new String[] {"config.json", "model.safetensors"}) {
            assertThat(Files.readAllBytes(tmp.resolve(file))).as("%s/%s", name, file)
                    .isEqualTo(Files.readAllBytes(JAVA_SAVED.resolve(name).resolve(file)));
        }
        assertThat(Files.readString(JAVA_SAVED.resolve("check.txt"))).contains(name + " padded:").endsWith("PASS\n");
    }
}
