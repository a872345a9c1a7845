package io.rlhf4j.nn.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.Fixtures;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA on a whole model (smollm_tied): freezing, gradients, merging, unloading, errors. */
class LoraModelTest {

    @TempDir
    Path tmp;

    Tensor ids;
    Tensor mask;

    @BeforeEach
    void inputs() throws IOException {
        Map<String, Tensor> ref = Fixtures.reference("smollm_tied");
        ids = ref.get("padded.input_ids");
        mask = ref.get("padded.attention_mask");
    }

    /** q_proj and v_proj adapters with random B, so that they change the logits. */
    static LoraModel<PreTrainedCausalLM> adapted() {
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).targetModules("q_proj", "v_proj").build();
        LoraModel<PreTrainedCausalLM> lora = Lora.apply(LoraFixtures.model("smollm_tied"), config, Generator.seed(1));
        Generator g = Generator.seed(2);
        lora.layers().values().forEach(l -> l.loraB().weight().load(g.normal(l.loraB().weight().shape(), 0, 0.3,
                DType.F32)));
        return lora;
    }

    float[] logits(PreTrainedCausalLM model) {
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            return model.forward(ids, mask, null).toFloatArray();
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }

    static Map<String, float[]> weights(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> out.put(k, p.tensor().toFloatArray()));
        return out;
    }

    @Test
    void onlyAdapterParametersAreTrainableAndReceiveGradients() {
        LoraModel<PreTrainedCausalLM> lora = adapted();
        List<String> adapterNames = lora.model().namedParameters().keySet().stream()
                .filter(n -> n.contains(".lora_A.") || n.contains(".lora_B.")).toList();
        assertThat(adapterNames).hasSize(8).contains("model.layers.1.self_attn.v_proj.lora_B.weight");
        assertThat(lora.model().namedParameters()).containsKey("model.layers.0.self_attn.q_proj.base_layer.weight");
        assertThat(lora.trainableParameters()).hasSize(8)
                .allSatisfy(p -> assertThat(adapterNames.stream().map(lora.model().namedParameters()::get)).contains(p));
        try (var _ = Memory.scope()) {
            lora.model().forward(ids, mask, null).square().mean().backward();
        }
        lora.model().namedParameters().forEach((name, p) -> {
            if (adapterNames.contains(name)) {
                assertThat(p.tensor().grad()).as(name).isNotNull();
                assertThat(p.tensor().grad().abs().sum().item()).as(name).isGreaterThan(0);
            } else {
                assertThat(p.tensor().grad()).as(name).isNull();
            }
        });
    }

    @Test
    void mergedWeightsGiveTheAdaptedLogitsAndUnmergeRestoresThem() {
        PreTrainedCausalLM base = LoraFixtures.model("smollm_tied");
        float[] baseLogits = logits(base);
        LoraModel<PreTrainedCausalLM> lora = adapted();
        Map<String, float[]> before = weights(lora.model());
        float[] adapted = logits(lora.model());
        assertThat(maxAbsDiff(adapted, baseLogits)).as("the adapters matter").isGreaterThan(0.1);
        lora.merge();
        assertThat(maxAbsDiff(logits(lora.model()), adapted)).isLessThanOrEqualTo(1e-4);
        assertThat(maxAbsDiff(weights(lora.model()).get("model.layers.0.self_attn.q_proj.base_layer.weight"),
                before.get("model.layers.0.self_attn.q_proj.base_layer.weight"))).isGreaterThan(1e-3);
        lora.unmerge();
        Map<String, float[]> after = weights(lora.model());
        before.forEach((name, w) -> assertThat(maxAbsDiff(after.get(name), w)).as(name).isLessThanOrEqualTo(1e-6));
        assertThat(maxAbsDiff(logits(lora.model()), adapted)).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void mergeAndUnloadGivesThePlainModelWithMergedWeights() throws IOException {
        LoraModel<PreTrainedCausalLM> lora = adapted();
        float[] adapted = logits(lora.model());
        PreTrainedCausalLM plain = lora.mergeAndUnload();
        assertThat(plain.namedParameters().keySet())
                .containsExactlyElementsOf(LoraFixtures.model("smollm_tied").namedParameters().keySet());
        assertThat(plain.parameters()).allSatisfy(p -> assertThat(p.tensor().requiresGrad()).isTrue());
        assertThat(maxAbsDiff(logits(plain), adapted)).isLessThanOrEqualTo(1e-4);
        assertThatThrownBy(lora::model).isInstanceOf(IllegalStateException.class).hasMessageContaining("unloaded");
        plain.save(tmp);
        assertThat(logits(AutoModelForCausalLM.fromPretrained(tmp))).containsExactly(logits(plain));
    }

    @Test
    void inferenceModeFreezesTheAdaptersToo() {
        LoraConfig config = LoraConfig.builder().targetModules("q_proj").inferenceMode(true).build();
        LoraModel<PreTrainedCausalLM> lora = Lora.apply(LoraFixtures.model("smollm_tied"), config, Generator.seed(1));
        assertThat(lora.trainableParameters()).isEmpty();
        // 40,560 base parameters + 2 layers × (A 8×48 + B 48×8) with PEFT's default r = 8.
        assertThat(lora.trainableSummary()).isEqualTo("trainable params: 0 || all params: 42,096 || trainable%: 0.0000");
    }

    @Test
    void targetsFollowPeftsMatchingRules() {
        LoraConfig excluded = LoraConfig.builder().targetModules("q_proj", "v_proj")
                .excludeModules(TargetModules.of("model.layers.0.self_attn.q_proj")).build();
        assertThat(Lora.apply(LoraFixtures.model("smollm_tied"), excluded, Generator.seed(1)).layers().keySet())
                .containsExactly("model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj",
                        "model.layers.1.self_attn.v_proj");
        LoraConfig regex = LoraConfig.builder().targetModules(TargetModules.pattern(".*\\.1\\.mlp\\.(up|down)_proj"))
                .build();
        assertThat(Lora.apply(LoraFixtures.model("smollm_tied"), regex, Generator.seed(1)).layers().keySet())
                .containsExactly("model.layers.1.mlp.up_proj", "model.layers.1.mlp.down_proj");
        LoraModel<PreTrainedCausalLM> defaults = Lora.apply(LoraFixtures.model("gpt2"), LoraConfig.builder().build(),
                Generator.seed(1));
        assertThat(defaults.layers().keySet()).containsExactly("transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn");
        assertThat(defaults.config().fanInFanOut()).isTrue();
        assertThat(TargetModules.of("q_proj").matches("a.xq_proj")).isFalse();
        assertThat(TargetModules.of("q_proj").matches("q_proj")).isTrue();
        assertThat(TargetModules.pattern("q_proj").matches("a.q_proj")).isFalse();
    }

    @Test
    void mistakesAreReportedWithTheNamesAtFault() throws IOException {
        PreTrainedCausalLM model = LoraFixtures.model("smollm_tied");
        assertThatThrownBy(() -> Lora.apply(model, LoraConfig.builder().targetModules("c_attn").build(), Generator.seed(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[c_attn] matches no module");
        assertThatThrownBy(() -> Lora.apply(model, LoraConfig.builder().targetModules("self_attn").build(),
                Generator.seed(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.layers.0.self_attn (SelfAttention)");
        LoraConfig qv = LoraConfig.builder().targetModules("q_proj").build();
        Lora.apply(model, qv, Generator.seed(1));
        assertThatThrownBy(() -> Lora.apply(model, qv, Generator.seed(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model.layers.0.self_attn.q_proj already has a LoRA adapter");
        assertThatThrownBy(() -> LoraConfig.builder().bias("all").build())
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("bias \"all\"");
        assertThatThrownBy(() -> Lora.load(LoraFixtures.model("llama_gqa_llama3"), LoraFixtures.LORA.resolve("peft_smollm_qv")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adapter_model.safetensors")
                .hasMessageContaining("lora_A.weight has shape [4, 48], the model needs [4, 64]");
        Path dora = tmp.resolve("dora");
        Files.createDirectories(dora);
        Files.writeString(dora.resolve("adapter_config.json"), Files.readString(
                LoraFixtures.LORA.resolve("peft_smollm_qv").resolve("adapter_config.json"))
                .replace("\"use_dora\": false", "\"use_dora\": true"));
        assertThatThrownBy(() -> LoraConfig.fromPretrained(dora)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("use_dora = true");
        assertThatThrownBy(() -> Lora.load(LoraFixtures.model("smollm_tied"), tmp.resolve("missing")))
                .isInstanceOf(IOException.class).hasMessageContaining("no adapter_config.json");
    }

    @Test
    void trainingTheAdaptersLeavesTheBaseWeightsUntouched() {
        LoraModel<PreTrainedCausalLM> lora = adapted();
        Map<String, float[]> before = weights(lora.model());
        try (var _ = Memory.scope()) {
            lora.model().forward(ids, mask, null).square().mean().backward();
        }
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            for (Parameter p : lora.trainableParameters()) {
                p.load(p.tensor().sub(p.tensor().grad().mul(0.1)));
            }
        }
        Map<String, float[]> after = weights(lora.model());
        before.forEach((name, w) -> {
            boolean adapter = name.contains(".lora_");
            assertThat(maxAbsDiff(after.get(name), w) > 0).as(name).isEqualTo(adapter);
        });
    }
}
