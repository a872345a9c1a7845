package io.rlhf4j.nn.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.models.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generation_config.json read as transformers' GenerationConfig.from_pretrained reads it. */
class GenerationConfigFileTest {

    @TempDir
    Path dir;

    private static ModelConfig model(String extra) throws IOException {
        ObjectNode raw = (ObjectNode) new ObjectMapper().readTree("{\"model_type\": \"llama\", \"vocab_size\": 16,"
                + " \"hidden_size\": 8, \"intermediate_size\": 16, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2" + extra + "}");
        return ModelConfig.parse(raw, "config.json");
    }

    private GenerationConfig read(String json) throws IOException {
        Files.writeString(dir.resolve("generation_config.json"), json);
        return GenerationConfigFile.forModelFolder(dir, model(", \"eos_token_id\": 7, \"pad_token_id\": 3"));
    }

    @Test
    void fieldsTheFileSetsReplaceTheDefaults() throws IOException {
        GenerationConfig c = read("{\"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.95, \"top_k\": 20,"
                + " \"eos_token_id\": [5, 9], \"pad_token_id\": 1, \"max_new_tokens\": 33, \"max_length\": 99,"
                + " \"stop_strings\": \"\\n\\n\", \"transformers_version\": \"5.18.0\", \"num_beams\": 1}");
        assertThat(c).isEqualTo(new GenerationConfig(33, 99, true, 0.6, 20, 0.95, List.of(5L, 9L), 1L,
                List.of("\n\n"), 0));
    }

    @Test
    void omittedFieldsKeepTransformersDefaultsNotConfigJson() throws IOException {
        // transformers uses generation_config.json alone when it exists: no eos_token_id there means no EOS.
        GenerationConfig c = read("{\"top_k\": null, \"temperature\": 0.0}");
        assertThat(c).isEqualTo(GenerationConfig.defaults());
        assertThat(read("{\"eos_token_id\": 4}").eosTokenIds()).containsExactly(4L);
    }

    @Test
    void withoutAFileTheIdsComeFromConfigJson() throws IOException {
        GenerationConfig c = GenerationConfigFile.forModelFolder(dir, model(", \"eos_token_id\": [7, 8]"));
        assertThat(c.eosTokenIds()).containsExactly(7L, 8L);
        assertThat(c.doSample()).isFalse();
        assertThat(c.maxLength()).isEqualTo(20);
    }

    @Test
    void errorsNameTheFileAndField() {
        assertThatThrownBy(() -> read("{\"top_k\": 2.5}")).hasMessageContaining("generation_config.json: field top_k"
                + " must be an integer, got 2.5");
        assertThatThrownBy(() -> read("{\"eos_token_id\": \"x\"}"))
                .hasMessageContaining("eos_token_id must be a token id");
        assertThatThrownBy(() -> read("{\"do_sample\": true, \"temperature\": 0}"))
                .hasMessageContaining("generation_config.json: temperature must be a strictly positive");
        assertThatThrownBy(() -> read("[1]")).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> read("{oops")).hasMessageContaining("not valid JSON");
    }
}
