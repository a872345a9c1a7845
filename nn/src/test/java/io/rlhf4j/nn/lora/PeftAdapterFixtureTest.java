package io.rlhf4j.nn.lora;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.Fixtures;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Adapters saved by PEFT itself (make_lora_fixtures.py) load and compute PEFT's logits. */
class PeftAdapterFixtureTest {

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @CsvSource({"peft_smollm_qv, smollm_tied", "peft_gpt2_rslora, gpt2", "peft_qwen2_all_linear, qwen2"})
    void peftAdapterGivesPeftLogits(String adapter, String base) throws IOException {
        PreTrainedCausalLM model = LoraFixtures.model(base);
        LoraModel<PreTrainedCausalLM> lora = Lora.load(model, LoraFixtures.LORA.resolve(adapter));
        assertThat(lora.layers().keySet().stream().sorted().toList())
                .isEqualTo(LoraFixtures.wrappedModules(adapter));
        assertThat(lora.trainableParameters()).isEmpty();
        Map<String, Tensor> ref = LoraFixtures.adapterReference(adapter);
        for (String c : new String[] {"plain", "padded"}) {
            try (var _ = Grad.disabled(); var _ = Memory.scope()) {
                Tensor mask = ref.get(c + ".attention_mask");
                Tensor logits = model.forward(ref.get(c + ".input_ids"), mask, ref.get(c + ".position_ids"));
                double delta = Fixtures.maxDeltaAtTokens(logits, ref.get(c + ".logits"), mask);
                double effect = Fixtures.maxDeltaAtTokens(ref.get(c + ".logits"), ref.get(c + ".base_logits"), mask);
                System.out.printf("%s %s: max |Δ logits| vs PEFT %.3e (adapter effect %.3e)%n", adapter, c, delta, effect);
                assertThat(effect).as("the fixture adapter changes the logits").isGreaterThan(0.1);
                assertThat(delta).as("%s %s", adapter, c).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"peft_smollm_qv, smollm_tied", "peft_gpt2_rslora, gpt2", "peft_qwen2_all_linear, qwen2"})
    void trainableParameterLineIsPeftsPrintTrainableParameters(String adapter, String base) throws IOException {
        LoraConfig config = LoraConfig.fromPretrained(LoraFixtures.LORA.resolve(adapter)).toBuilder()
                .inferenceMode(false).build();
        LoraModel<PreTrainedCausalLM> lora = Lora.apply(LoraFixtures.model(base), config, Generator.seed(1));
        String peft = Files.readString(LoraFixtures.LORA.resolve(adapter).resolve("trainable_parameters.txt")).strip();
        assertThat(lora.trainableSummary()).isEqualTo(peft);
    }

    @Test
    void allLinearWrapsWhatPeftWrapsAndLeavesLmHead() throws IOException {
        LoraConfig config = LoraConfig.builder().r(2).loraAlpha(5).targetModules("all-linear").build();
        LoraModel<PreTrainedCausalLM> lora = Lora.apply(LoraFixtures.model("qwen2"), config, Generator.seed(3));
        List<String> wrapped = new ArrayList<>(lora.layers().keySet());
        wrapped.sort(null);
        assertThat(wrapped).isEqualTo(LoraFixtures.wrappedModules("peft_qwen2_all_linear")).doesNotContain("lm_head");
        assertThat(lora.config().targetModules().names()).containsExactlyElementsOf(lora.layers().keySet());
        assertThat(lora.trainableSummary()).isEqualTo(Files.readString(
                LoraFixtures.LORA.resolve("peft_qwen2_all_linear").resolve("trainable_parameters.txt")).strip());
    }

    @Test
    void gpt2ConfigReadsPeftsValues() throws IOException {
        LoraConfig config = LoraConfig.fromPretrained(LoraFixtures.LORA.resolve("peft_gpt2_rslora"));
        assertThat(config.r()).isEqualTo(4);
        assertThat(config.loraAlpha()).isEqualTo(16);
        assertThat(config.loraDropout()).isEqualTo(0.1);
        assertThat(config.useRslora()).isTrue();
        assertThat(config.fanInFanOut()).isTrue();
        assertThat(config.scaling()).isEqualTo(8.0);
        assertThat(config.targetModules().names()).containsExactlyInAnyOrder("c_attn", "c_proj");
        assertThat(config.taskType()).isEqualTo("CAUSAL_LM");
        assertThat(config.baseModelNameOrPath()).isEqualTo("nn/src/test/resources/models/gpt2");
    }
}
