package io.rlhf4j.nn.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.ops.fused.RotaryTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face config.json for the supported model families, with the spellings different
 * transformers versions write: {@code rope_theta} at top level (≤ 4.x) or inside
 * {@code rope_parameters} (5.x); {@code rope_scaling} (≤ 4.x) or {@code rope_parameters}, with
 * the type under {@code rope_type} or {@code type}; {@code torch_dtype} or {@code dtype}. GPT-2's
 * names (n_embd, n_layer, n_head, n_inner, n_positions, layer_norm_epsilon) map to the same fields.
 *
 * <p>Sliding-window attention (Mistral's sliding_window, Qwen's use_sliding_window) is not
 * implemented: {@link #slidingWindow()} is kept so a model can refuse sequences longer than the
 * window, where results would differ from transformers.
 *
 * @param raw the parsed JSON, kept so that saving writes back every field unchanged
 */
public record ModelConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
        int numHeads, int numKvHeads, int headDim, int maxPositionEmbeddings, double normEps, double ropeTheta,
        RotaryTables.Scaling ropeScaling, boolean tieWordEmbeddings, boolean attentionBias, boolean mlpBias,
        String hiddenAct, int slidingWindow, double residDropout, double embdDropout, String dtype, ObjectNode raw) {

    /** The model_type values this package builds. */
    public static final List<String> SUPPORTED = List.of("llama", "mistral", "qwen2", "qwen3", "gpt2");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code dir/config.json} (or a config file given directly). */
    public static ModelConfig read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no config.json: not a Hugging Face model directory");
        }
        JsonNode node = JSON.readTree(file.toFile());
        if (!(node instanceof ObjectNode obj)) {
            throw new IllegalArgumentException(file + ": config must be a JSON object");
        }
        return parse(obj, file.toString());
    }

    /** Parses a config object; {@code source} names it in error messages. */
    public static ModelConfig parse(ObjectNode c, String source) {
        ConfigFields f = new ConfigFields(c, source);
        String type = f.string("model_type", null);
        if (type == null) {
            throw new IllegalArgumentException(source + ": config has no model_type");
        }
        if (!SUPPORTED.contains(type)) {
            throw new IllegalArgumentException(source + ": model_type '" + type + "' is not supported (supported: "
                    + String.join(", ", SUPPORTED) + ")");
        }
        String dtype = f.string("dtype", f.string("torch_dtype", "float32"));
        return type.equals("gpt2") ? gpt2(f, dtype, c) : llama(type, f, dtype, c);
    }

    private static ModelConfig gpt2(ConfigFields f, String dtype, ObjectNode c) {
        int hidden = f.integer("n_embd", 768);
        int heads = f.integer("n_head", 12);
        String act = f.string("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw f.error("activation_function '" + act + "' is not supported for gpt2 (gelu_new, gelu_pytorch_tanh)");
        }
        int inner = f.has("n_inner") ? f.integer("n_inner", 0) : 4 * hidden;
        return new ModelConfig("gpt2", f.integer("vocab_size", 50257), hidden, inner, f.integer("n_layer", 12), heads,
                heads, hidden / heads, f.integer("n_positions", 1024), f.number("layer_norm_epsilon", 1e-5), 0,
                RotaryTables.Scaling.NONE, f.bool("tie_word_embeddings", true), true, true, act, 0,
                f.number("resid_pdrop", 0.1), f.number("embd_pdrop", 0.1), dtype, c);
    }

    private static ModelConfig llama(String type, ConfigFields f, String dtype, ObjectNode c) {
        int hidden = f.required("hidden_size");
        int heads = f.required("num_attention_heads");
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw f.error("hidden_act '" + act + "' is not supported for " + type + " (silu)");
        }
        JsonNode rope = c.has("rope_parameters") && !c.get("rope_parameters").isNull() ? c.get("rope_parameters")
                : c.get("rope_scaling");
        double theta = rope != null && rope.has("rope_theta") ? rope.get("rope_theta").asDouble()
                : f.number("rope_theta", 10000.0);
        boolean qkvBias = type.equals("qwen2") || f.bool("attention_bias", false);
        boolean windowed = type.equals("mistral") || f.bool("use_sliding_window", false);
        int window = windowed ? f.integer("sliding_window", 0) : 0;
        return new ModelConfig(type, f.required("vocab_size"), hidden, f.required("intermediate_size"),
                f.required("num_hidden_layers"), heads, f.integer("num_key_value_heads", heads),
                f.integer("head_dim", hidden / heads), f.integer("max_position_embeddings", 2048),
                f.number("rms_norm_eps", 1e-6), theta, ropeScaling(rope, f), f.bool("tie_word_embeddings", false),
                qkvBias, f.bool("mlp_bias", false), act, window, 0, 0, dtype, c);
    }

    private static RotaryTables.Scaling ropeScaling(JsonNode rope, ConfigFields f) {
        if (rope == null || rope.isNull()) {
            return RotaryTables.Scaling.NONE;
        }
        String kind = rope.has("rope_type") ? rope.get("rope_type").asText()
                : rope.has("type") ? rope.get("type").asText() : "default";
        return switch (kind) {
            case "default" -> RotaryTables.Scaling.NONE;
            case "linear" -> RopeScaling.linear(ropeNumber(rope, "factor", f));
            case "llama3" -> RopeScaling.llama3(ropeNumber(rope, "factor", f), ropeNumber(rope, "low_freq_factor", f),
                    ropeNumber(rope, "high_freq_factor", f), rope.has("original_max_position_embeddings")
                            ? rope.get("original_max_position_embeddings").asDouble()
                            : f.integer("max_position_embeddings", 2048));
            default -> throw f.error("rope type '" + kind + "' is not supported (default, linear, llama3)");
        };
    }

    private static double ropeNumber(JsonNode rope, String key, ConfigFields f) {
        JsonNode v = rope.get(key);
        if (v == null || !v.isNumber()) {
            throw f.error("rope scaling needs a number '" + key + "', got " + v);
        }
        return v.asDouble();
    }

    /** True for the Llama family (RMSNorm, RoPE, SwiGLU), false for GPT-2. */
    public boolean isLlamaFamily() {
        return !modelType.equals("gpt2");
    }

    /** Qwen3 normalises q and k per head before RoPE. */
    public boolean hasQkNorm() {
        return modelType.equals("qwen3");
    }

    /** The architecture name transformers instantiates for this model_type. */
    public String architecture() {
        return switch (modelType) {
            case "gpt2" -> "GPT2LMHeadModel";
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            default -> "LlamaForCausalLM";
        };
    }
}
