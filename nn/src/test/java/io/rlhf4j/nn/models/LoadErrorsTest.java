package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadErrorsTest {

    @TempDir
    Path tmp;

    private int copies;

    private Path copyWith(String name, java.util.function.Consumer<Map<String, Tensor>> edit) throws IOException {
        Path dir = tmp.resolve(name + "-" + copies++);
        Files.createDirectories(dir);
        Files.copy(Fixtures.dir(name).resolve("config.json"), dir.resolve("config.json"));
        Map<String, Tensor> weights = new LinkedHashMap<>(Safetensors.loadCheckpoint(Fixtures.dir(name)));
        edit.accept(weights);
        Safetensors.save(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        return dir;
    }

    @Test
    void missingTensorIsNamedWithTheFile() throws IOException {
        Path dir = copyWith("qwen2", w -> w.remove("model.layers.1.self_attn.k_proj.bias"));
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(dir))
                .hasMessageContaining("model.layers.1.self_attn.k_proj.bias")
                .hasMessageContaining(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("Qwen2ForCausalLM");
    }

    @Test
    void unexpectedTensorAndShapeMismatchAreNamed() throws IOException {
        Path extra = copyWith("mistral", w -> w.put("model.layers.0.self_attn.q_proj.bias", Tensor.zeros(DType.F32, 32)));
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(extra))
                .hasMessageContaining("unexpected tensors (1): model.layers.0.self_attn.q_proj.bias");
        Path wrong = copyWith("mistral", w -> w.put("model.norm.weight", Tensor.zeros(DType.F32, 31)));
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(wrong))
                .hasMessageContaining("model.norm.weight: expected [32], got [31]");
    }

    @Test
    void tiedModelIgnoresAnLmHeadCopyAndUntiedModelRequiresIt() throws IOException {
        Path tied = copyWith("smollm_tied", w -> w.put("lm_head.weight", w.get("model.embed_tokens.weight")));
        assertThat(AutoModelForCausalLM.fromPretrained(tied).module().namedParameters()).doesNotContainKey("lm_head.weight");
        Path untied = copyWith("qwen3", w -> w.remove("lm_head.weight"));
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(untied)).hasMessageContaining("lm_head.weight");
    }

    @Test
    void baseModelCheckpointWithoutPrefixLoads() throws IOException {
        Path dir = copyWith("gpt2", w -> {
            Map<String, Tensor> stripped = new LinkedHashMap<>();
            w.forEach((k, v) -> stripped.put(k.replaceFirst("^transformer\\.", ""), v));
            stripped.put("h.0.attn.bias", Tensor.zeros(DType.F32, 1, 1, 64, 64));
            w.clear();
            w.putAll(stripped);
        });
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir);
        Tensor expected = Safetensors.loadCheckpoint(Fixtures.dir("gpt2")).get("transformer.h.1.mlp.c_fc.weight");
        assertThat(model.stateDict().get("transformer.h.1.mlp.c_fc.weight").toFloatArray())
                .containsExactly(expected.toFloatArray());
    }

    @Test
    void unsupportedModelTypeAndMissingFilesAreNamed() throws IOException {
        Path dir = tmp.resolve("falcon");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"falcon\"}");
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(dir))
                .hasMessageContaining("model_type 'falcon' is not supported")
                .hasMessageContaining(dir.resolve("config.json").toString());
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(tmp.resolve("nothing")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("config.json");
        Path noWeights = tmp.resolve("noweights");
        Files.createDirectories(noWeights);
        Files.copy(Fixtures.dir("qwen3").resolve("config.json"), noWeights.resolve("config.json"));
        assertThatThrownBy(() -> AutoModelForCausalLM.fromPretrained(noWeights))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("model.safetensors");
    }

    @Test
    void bf16ParametersAreKeptWhenAsked() throws IOException {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir("llama_linear_bf16"), DType.BF16);
        Tensor file = Safetensors.loadCheckpoint(Fixtures.dir("llama_linear_bf16")).get("model.layers.0.mlp.up_proj.weight");
        Tensor ours = model.stateDict().get("model.layers.0.mlp.up_proj.weight");
        assertThat(ours.dtype()).isEqualTo(DType.BF16);
        assertThat(ours.toFloatArray()).containsExactly(file.toFloatArray());
    }
}
