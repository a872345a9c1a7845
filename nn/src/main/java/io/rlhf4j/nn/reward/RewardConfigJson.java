package io.rlhf4j.nn.reward;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.models.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * reward_config.json: the reward model's own metadata beside the backbone's config.json.
 *
 * <pre>{
 *   "format": "rlhf4j-reward-model", "format_version": 1, "rlhf4j_version": "…",
 *   "head_type": "mlp" | "score", "pooling": "last_token" | "mean",
 *   "hidden_size": H, "head_inner_size": I, "head_dropout": p,
 *   "base_model_type": "llama", "base_architecture": "LlamaModel"
 * }</pre>
 *
 * Reading checks every field (present, of the right type, in range) and that hidden_size and
 * base_model_type agree with config.json; errors name the file and the field.
 */
final class RewardConfigJson {

    static final String FILE = "reward_config.json";
    static final String FORMAT = "rlhf4j-reward-model";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RewardConfigJson() {
    }

    static String toJson(RewardConfig rc, ModelConfig config) throws JsonProcessingException {
        ObjectNode json = JSON.createObjectNode();
        json.put("format", FORMAT);
        json.put("format_version", FORMAT_VERSION);
        json.put("rlhf4j_version", version());
        json.put("head_type", rc.headType().jsonName());
        json.put("pooling", rc.pooling().jsonName());
        json.put("hidden_size", config.hiddenSize());
        json.put("head_inner_size", rc.innerSize(config.hiddenSize()));
        json.put("head_dropout", rc.headDropout());
        json.put("base_model_type", config.modelType());
        json.put("base_architecture", Backbones.baseArchitecture(config));
        return JSON.writeValueAsString(json) + "\n";
    }

    /** The version of the rlhf4j jar, or "dev" when running from classes (tests, IDE). */
    static String version() {
        String v = RewardConfigJson.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static RewardConfig read(Path directory, ModelConfig config) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no " + FILE + ": not a saved rlhf4j reward model");
        }
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(json instanceof ObjectNode)) {
            throw new IllegalArgumentException(file + ": must be a JSON object");
        }
        Fields f = new Fields(json, file);
        if (!FORMAT.equals(f.text("format"))) {
            throw new IllegalArgumentException(file + ": field \"format\" must be \"" + FORMAT + "\", got \""
                    + f.text("format") + "\"");
        }
        int version = f.integer("format_version");
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IllegalArgumentException(file + ": field \"format_version\" is " + version
                    + "; this rlhf4j reads versions 1 to " + FORMAT_VERSION);
        }
        int hidden = f.integer("hidden_size");
        if (hidden != config.hiddenSize()) {
            throw new IllegalArgumentException(file + ": field \"hidden_size\" is " + hidden + " but config.json's is "
                    + config.hiddenSize());
        }
        String baseType = f.text("base_model_type");
        if (!baseType.equals(config.modelType())) {
            throw new IllegalArgumentException(file + ": field \"base_model_type\" is \"" + baseType
                    + "\" but config.json's model_type is \"" + config.modelType() + "\"");
        }
        try {
            HeadType head = HeadType.fromJsonName(f.text("head_type"));
            Pooling pooling = Pooling.fromJsonName(f.text("pooling"));
            return head == HeadType.MLP
                    ? new RewardConfig(head, pooling, f.integer("head_inner_size"), f.number("head_dropout"))
                    : new RewardConfig(head, pooling, 0, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Typed access to required fields; errors name the file and the field. */
    private record Fields(JsonNode json, Path file) {

        JsonNode required(String name) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException(file + ": required field \"" + name + "\" is missing");
            }
            return v;
        }

        String text(String name) {
            JsonNode v = required(name);
            if (!v.isTextual()) {
                throw new IllegalArgumentException(file + ": field \"" + name + "\" must be a string, got " + v);
            }
            return v.asText();
        }

        int integer(String name) {
            JsonNode v = required(name);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw new IllegalArgumentException(file + ": field \"" + name
                        + "\" must be a non-negative integer, got " + v);
            }
            return v.asInt();
        }

        double number(String name) {
            JsonNode v = required(name);
            if (!v.isNumber()) {
                throw new IllegalArgumentException(file + ": field \"" + name + "\" must be a number, got " + v);
            }
            return v.asDouble();
        }
    }
}
