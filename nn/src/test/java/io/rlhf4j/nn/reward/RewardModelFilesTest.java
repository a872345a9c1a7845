package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardModelFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static void assertSameState(RewardModel a, RewardModel b) {
        Map<String, Tensor> x = a.stateDict();
        Map<String, Tensor> y = b.stateDict();
        assertThat(y.keySet()).containsExactlyElementsOf(x.keySet());
        x.forEach((name, t) -> assertThat(y.get(name).toFloatArray()).as(name).containsExactly(t.toFloatArray()));
    }

    @Test
    void mlpModelRoundTripsBitwiseWithMetadataAndBackboneInAutoModelLayout() throws IOException {
        RewardConfig rc = RewardConfig.mlp().withPooling(Pooling.MEAN).withHeadInnerSize(48).withHeadDropout(0.2);
        RewardModel model = RewardModel.fromBase(RewardFixtures.MODELS.resolve("gpt2"), rc, Generator.seed(3));
        model.eval();
        Path dir = tmp.resolve("rm");
        model.savePretrained(dir);

        JsonNode meta = JSON.readTree(dir.resolve("reward_config.json").toFile());
        assertThat(meta.get("format").asText()).isEqualTo("rlhf4j-reward-model");
        assertThat(meta.get("format_version").asInt()).isEqualTo(1);
        assertThat(meta.get("head_type").asText()).isEqualTo("mlp");
        assertThat(meta.get("pooling").asText()).isEqualTo("mean");
        assertThat(meta.get("hidden_size").asInt()).isEqualTo(32);
        assertThat(meta.get("head_inner_size").asInt()).isEqualTo(48);
        assertThat(meta.get("head_dropout").asDouble()).isEqualTo(0.2);
        assertThat(meta.get("base_model_type").asText()).isEqualTo("gpt2");
        assertThat(meta.get("base_architecture").asText()).isEqualTo("GPT2Model");
        assertThat(meta.has("rlhf4j_version")).isTrue();
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("GPT2Model");
        assertThat(Safetensors.load(dir.resolve("model.safetensors")).keySet()).contains("wte.weight")
                .noneMatch(k -> k.startsWith("transformer.") || k.startsWith("reward_head."));
        assertThat(Safetensors.load(dir.resolve("reward_head.safetensors")).keySet())
                .containsExactlyInAnyOrder("reward_head.0.weight", "reward_head.0.bias", "reward_head.3.weight",
                        "reward_head.3.bias");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("config.json", "model.safetensors", "reward_head.safetensors", "reward_config.json");

        RewardModel loaded = RewardModel.fromPretrained(dir);
        assertThat(loaded.rewardConfig()).isEqualTo(rc.withHeadInnerSize(48));
        assertSameState(model, loaded);
        Map<String, Tensor> ref = RewardFixtures.reference("gpt2");
        Tensor ids = ref.get("left.input_ids");
        Tensor mask = ref.get("left.attention_mask");
        assertThat(loaded.rewards(ids, mask).toFloatArray()).containsExactly(model.rewards(ids, mask).toFloatArray());
    }

    @Test
    void loadsWithBf16ParametersAndStillReturnsF32Rewards() throws IOException {
        Path dir = JavaSavedRewardModelTest.JAVA_SAVED.resolve("gpt2_mlp");
        RewardModel f32 = RewardModel.fromPretrained(dir);
        RewardModel bf16 = RewardModel.fromPretrained(dir, DType.BF16);
        assertThat(bf16.parameterDType()).isEqualTo(DType.BF16);
        Map<String, Tensor> ref = RewardFixtures.reference("gpt2");
        Tensor ids = ref.get("right.input_ids");
        Tensor mask = ref.get("right.attention_mask");
        Tensor r = bf16.rewards(ids, mask);
        assertThat(r.dtype()).isEqualTo(DType.F32);
        // Weights rounded to BF16 (8 bits of mantissa): rewards of magnitude ~1 move by a few 1e-2 at most.
        assertThat(RewardFixtures.maxAbsDiff(r, f32.rewards(ids, mask))).isLessThan(0.1);
    }

    @Test
    void scoreModelRoundTripsBitwiseInTransformersLayout() throws IOException {
        RewardModel model = RewardModel.fromPretrained(RewardFixtures.REWARD.resolve("llama_seqcls"));
        Path dir = tmp.resolve("seqcls");
        model.savePretrained(dir);
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("LlamaForSequenceClassification");
        assertThat(config.get("id2label").size()).isEqualTo(1);
        assertThat(Safetensors.load(dir.resolve("model.safetensors")).keySet()).contains("score.weight",
                "model.embed_tokens.weight");
        RewardModel loaded = RewardModel.fromPretrained(dir);
        assertThat(loaded.rewardConfig().headType()).isEqualTo(HeadType.SCORE);
        assertSameState(model, loaded);
    }

    @Test
    void newModelsOnTheSameBaseAndSeedAreIdentical() throws IOException {
        Path base = RewardFixtures.MODELS.resolve("llama_gqa_llama3");
        RewardModel a = RewardModel.fromBase(base, RewardConfig.mlp(), Generator.seed(9));
        RewardModel b = RewardModel.fromBase(base, RewardConfig.mlp(), Generator.seed(9));
        assertSameState(a, b);
        RewardModel c = RewardModel.fromBase(base, RewardConfig.mlp(), Generator.seed(10));
        assertThat(c.namedParameters().get("reward_head.0.weight").tensor().toFloatArray())
                .isNotEqualTo(a.namedParameters().get("reward_head.0.weight").tensor().toFloatArray());
        assertThat(a.namedParameters().get("model.norm.weight").tensor().toFloatArray())
                .containsExactly(c.namedParameters().get("model.norm.weight").tensor().toFloatArray());
    }

    private Path savedCopy(Consumer<ObjectNode> edit) throws IOException {
        RewardModel model = RewardModel.fromBase(RewardFixtures.MODELS.resolve("gpt2"), RewardConfig.mlp(),
                Generator.seed(1));
        Path dir = tmp.resolve("edited");
        model.savePretrained(dir);
        Path file = dir.resolve("reward_config.json");
        ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(json);
        Files.writeString(file, json.toString());
        return dir;
    }

    @Test
    void malformedRewardConfigNamesFileAndField() throws IOException {
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.remove("pooling"))))
                .hasMessageContaining("reward_config.json").hasMessageContaining("\"pooling\" is missing");
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.put("pooling", "max"))))
                .hasMessageContaining("reward_config.json").hasMessageContaining("last_token");
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.put("hidden_size", 64))))
                .hasMessageContaining("\"hidden_size\" is 64").hasMessageContaining("32");
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.put("head_dropout", "high"))))
                .hasMessageContaining("\"head_dropout\" must be a number");
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.put("format_version", 7))))
                .hasMessageContaining("\"format_version\" is 7");
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.put("base_model_type", "llama"))))
                .hasMessageContaining("\"base_model_type\"");
        assertThatThrownBy(() -> RewardModel.fromPretrained(savedCopy(j -> j.put("head_inner_size", 16))))
                .hasMessageContaining("reward_head.safetensors").hasMessageContaining("0.weight");
        Path dir = savedCopy(j -> { });
        Files.writeString(dir.resolve("reward_config.json"), "{\"format\": ");
        assertThatThrownBy(() -> RewardModel.fromPretrained(dir))
                .hasMessageContaining("reward_config.json").hasMessageContaining("not valid JSON");
        Files.delete(dir.resolve("reward_config.json"));
        assertThatThrownBy(() -> RewardModel.fromPretrained(dir))
                .hasMessageContaining("no reward_config.json").hasMessageContaining("GPT2Model")
                .hasMessageContaining("fromBase");
    }

    @Test
    void missingHeadFileAndWrongLabelCountAreClearErrors() throws IOException {
        Path dir = savedCopy(j -> { });
        Files.delete(dir.resolve("reward_head.safetensors"));
        assertThatThrownBy(() -> RewardModel.fromPretrained(dir)).hasMessageContaining("no reward_head.safetensors");

        Path seqcls = tmp.resolve("two_labels");
        RewardModel.fromPretrained(RewardFixtures.REWARD.resolve("llama_seqcls")).savePretrained(seqcls);
        Files.delete(seqcls.resolve("reward_config.json"));
        ObjectNode config = (ObjectNode) JSON.readTree(seqcls.resolve("config.json").toFile());
        config.putObject("id2label").put("0", "A").put("1", "B");
        Files.writeString(seqcls.resolve("config.json"), config.toString());
        assertThatThrownBy(() -> RewardModel.fromPretrained(seqcls)).hasMessageContaining("config.json")
                .hasMessageContaining("one label").hasMessageContaining("2");
    }
}
