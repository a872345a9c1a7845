package io.rlhf4j.nn.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Saving in transformers' save_pretrained layout: config.json (the loaded config with dtype and
 * architectures brought up to date, keys sorted, two-space indent) and model.safetensors, sharded
 * above {@value #MAX_SHARD_BYTES} bytes. Tied parameters are written once, under the first name.
 */
public final class ModelFiles {

    /** transformers 5's default max_shard_size ("50GB"). */
    static final long MAX_SHARD_BYTES = 50_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFiles() {
    }

    static void save(PreTrainedCausalLM model, Path directory) throws IOException {
        Files.createDirectories(directory);
        ModelConfig config = model.config();
        ObjectNode json = config.raw().deepCopy();
        String dtype = torchName(model.parameterDType());
        json.put("dtype", dtype);
        if (json.has("torch_dtype")) {
            json.put("torch_dtype", dtype);
        }
        ArrayNode architectures = json.putArray("architectures");
        architectures.add(config.architecture());
        Files.writeString(directory.resolve("config.json"), JSON.writeValueAsString(sorted(json)) + "\n");
        Safetensors.saveCheckpoint(directory, model.stateDict(), Map.of(), MAX_SHARD_BYTES);
    }

    /** {@code node} with its keys (at every level) in sorted order, as transformers writes config.json. */
    public static ObjectNode sorted(ObjectNode node) {
        ObjectNode out = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            out.set(name, node.get(name) instanceof ObjectNode child ? sorted(child) : node.get(name));
        }
        return out;
    }

    /** torch's name of a parameter dtype, as config.json's torch_dtype / dtype holds it. */
    public static String torchName(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            case F64 -> "float64";
            default -> throw new IllegalArgumentException("parameters cannot be " + dtype);
        };
    }
}
