package io.rlhf4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.PreTrainedCausalLM;

/**
 * A randomly initialised model with SmolLM-135M's shape (HuggingFaceTB/SmolLM-135M config.json):
 * hidden 576, 30 layers, 9 query and 3 key/value heads, intermediate 1536, vocabulary 49152,
 * tied embeddings, rope_theta 10000 — 134.5 M parameters. bench/peers/torch_cpu.py builds the same.
 */
final class SmolLmShape {

    private SmolLmShape() {
    }

    static ModelConfig config() {
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.put("model_type", "llama");
        c.put("vocab_size", 49152);
        c.put("hidden_size", 576);
        c.put("intermediate_size", 1536);
        c.put("num_hidden_layers", 30);
        c.put("num_attention_heads", 9);
        c.put("num_key_value_heads", 3);
        c.put("max_position_embeddings", 2048);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("tie_word_embeddings", true);
        return ModelConfig.parse(c, "SmolLM-135M shape");
    }

    static PreTrainedCausalLM model(long seed) {
        return AutoModelForCausalLM.fromConfig(config(), DType.F32, Generator.seed(seed));
    }
}
