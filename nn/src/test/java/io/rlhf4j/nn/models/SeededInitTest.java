package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** fromConfig with a generator: transformers' init (matrices normal(0, initializer_range), norms 1, biases 0). */
class SeededInitTest {

    private static ModelConfig config(String extra) throws IOException {
        String json = "{'model_type':'qwen2','vocab_size':300,'hidden_size':64,'intermediate_size':96,"
                + "'num_hidden_layers':2,'num_attention_heads':4,'num_key_value_heads':2,'tie_word_embeddings':true"
                + extra + "}";
        return ModelConfig.parse((ObjectNode) new ObjectMapper().readTree(json.replace('\'', '"')), "test");
    }

    @Test
    void seededInitIsReproducibleAndFollowsTransformers() throws IOException {
        ModelConfig c = config(",'initializer_range':0.05");
        Map<String, Tensor> a = AutoModelForCausalLM.fromConfig(c, DType.F32, Generator.seed(4)).stateDict();
        Map<String, Tensor> b = AutoModelForCausalLM.fromConfig(c, DType.F32, Generator.seed(4)).stateDict();
        Map<String, Tensor> other = AutoModelForCausalLM.fromConfig(c, DType.F32, Generator.seed(5)).stateDict();
        assertThat(a.keySet()).doesNotContain("lm_head.weight");
        a.forEach((name, t) -> {
            float[] v = t.toFloatArray();
            assertThat(v).as(name).containsExactly(b.get(name).toFloatArray());
            if (name.endsWith("norm.weight")) {
                assertThat(t.sub(1).abs().max().item()).as(name).isEqualTo(0.0);
            } else if (name.endsWith("bias")) {
                assertThat(t.abs().max().item()).as(name).isEqualTo(0.0);
            } else {
                assertThat(v).as(name).isNotEqualTo(other.get(name).toFloatArray());
                double mean = t.mean().item();
                double std = Math.sqrt(t.square().mean().item() - mean * mean);
                assertThat(std).as(name + " std").isBetween(0.045, 0.055);
                assertThat(Math.abs(mean)).as(name + " mean").isLessThan(0.01);
            }
        });
        Tensor wq = AutoModelForCausalLM.fromConfig(config(""), DType.F32, Generator.seed(4)).stateDict()
                .get("model.layers.0.self_attn.q_proj.weight");
        double std = Math.sqrt(wq.square().mean().item());
        assertThat(std).as("default initializer_range 0.02").isBetween(0.018, 0.022);
    }
}
