package io.rlhf4j.nn.lora;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.models.Fixtures;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adapters saved by rlhf4j load in PEFT. The adapters below are committed under lora/java_saved/
 * with the logits rlhf4j computes with them (java_logits.safetensors); make_lora_fixtures.py
 * --check-java-saved loads them with PeftModel.from_pretrained and writes java_saved/check.txt.
 * This test keeps that folder current. Regenerate it with
 * {@code ./mvnw -pl engine,nn test -Dtest=JavaSavedAdapterTest -Drlhf4j.regenerateFixtures=true},
 * then rerun the script's check.
 */
class JavaSavedAdapterTest {

    static final Path JAVA_SAVED = LoraFixtures.LORA.resolve("java_saved");
    static final String[] FILES = {"adapter_config.json", "adapter_model.safetensors"};

    @TempDir
    Path tmp;

    static LoraConfig config(String name) {
        LoraConfig.Builder b = LoraConfig.builder().baseModelNameOrPath("nn/src/test/resources/models/" + name);
        return switch (name) {
            case "smollm_tied" -> b.r(4).loraAlpha(16).loraDropout(0.05).targetModules("q_proj", "v_proj", "down_proj")
                    .build();
            case "gpt2" -> b.r(2).loraAlpha(4).useRslora(true).targetModules("c_attn", "c_fc").build();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Fresh adapters whose B is set to N(0, 0.3²) draws, so that they change the logits. */
    static LoraModel<PreTrainedCausalLM> adapted(String name) {
        LoraModel<PreTrainedCausalLM> lora = Lora.apply(LoraFixtures.model(name), config(name), Generator.seed(42));
        Generator g = Generator.seed(7);
        lora.layers().values().forEach(l -> l.loraB().weight().load(g.normal(l.loraB().weight().shape(), 0, 0.3,
                DType.F32)));
        lora.model().eval();
        return lora;
    }

    static Map<String, Tensor> logits(PreTrainedCausalLM model, String name) throws IOException {
        Map<String, Tensor> ref = Fixtures.reference(name);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Grad.disabled()) {
            for (String c : new String[] {"plain", "padded"}) {
                Tensor ids = ref.get(c + ".input_ids");
                Tensor mask = ref.get(c + ".attention_mask");
                out.put(c + ".input_ids", ids);
                out.put(c + ".attention_mask", mask);
                out.put(c + ".logits", model.forward(ids, mask, null));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "gpt2"})
    void committedAdapterIsWhatSaveWritesToday(String name) throws IOException {
        LoraModel<PreTrainedCausalLM> lora = adapted(name);
        Path committed = JAVA_SAVED.resolve(name);
        if (Boolean.getBoolean("rlhf4j.regenerateFixtures")) {
            lora.save(committed);
            Safetensors.save(committed.resolve("java_logits.safetensors"), logits(lora.model(), name), Map.of());
        }
        lora.save(tmp);
        for (String file : FILES) {
            assertThat(Files.readAllBytes(tmp.resolve(file))).as("%s/%s", name, file)
                    .isEqualTo(Files.readAllBytes(committed.resolve(file)));
        }
        assertThat(Files.readString(JAVA_SAVED.resolve("check.txt"))).contains(name + " padded:").endsWith("PASS\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "gpt2"})
    void committedLogitsAreWhatRlhf4jComputesToday(String name) throws IOException {
        Map<String, Tensor> now = logits(adapted(name).model(), name);
        Map<String, Tensor> committed = Safetensors.load(JAVA_SAVED.resolve(name).resolve("java_logits.safetensors"));
        for (String c : new String[] {"plain", "padded"}) {
            assertThat(committed.get(c + ".input_ids").toLongArray()).containsExactly(now.get(c + ".input_ids").toLongArray());
            assertThat(Fixtures.maxDeltaAtTokens(now.get(c + ".logits"), committed.get(c + ".logits"),
                    now.get(c + ".attention_mask"))).as("%s %s", name, c).isLessThanOrEqualTo(1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "gpt2"})
    void savedAdapterReloadsBitForBit(String name) throws IOException {
        LoraModel<PreTrainedCausalLM> lora = adapted(name);
        lora.save(tmp);
        LoraModel<PreTrainedCausalLM> again = Lora.load(LoraFixtures.model(name), tmp);
        assertThat(again.adapterStateDict().keySet()).containsExactlyElementsOf(lora.adapterStateDict().keySet());
        lora.adapterStateDict().forEach((key, t) -> assertThat(again.adapterStateDict().get(key).toFloatArray())
                .as(key).containsExactly(t.toFloatArray()));
        assertThat(again.config().useRslora()).isEqualTo(lora.config().useRslora());
        assertThat(again.config().fanInFanOut()).isEqualTo(name.equals("gpt2"));
        try (var _ = Memory.scope()) {
            Map<String, Tensor> a = logits(lora.model(), name);
            Map<String, Tensor> b = logits(again.model(), name);
            assertThat(b.get("padded.logits").toFloatArray()).containsExactly(a.get("padded.logits").toFloatArray());
        }
    }
}
