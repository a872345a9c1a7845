package io.rlhf4j.engine.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code model.safetensors.index.json} of a sharded checkpoint: which shard file holds each
 * tensor ({@code weight_map}) and free-form {@code metadata} (transformers and huggingface_hub put
 * {@code total_size} there). Shard names must be plain file names, so an index cannot point
 * outside its own directory.
 */
record CheckpointIndex(Map<String, Object> metadata, Map<String, String> weightMap) {

    static final String FILE_NAME = "model.safetensors.index.json";

    /** Rejects repeated keys: a tensor mapped to two shards has no right answer. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    CheckpointIndex {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    static CheckpointIndex read(Path file) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new SafetensorsFormatException(file, "index is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(file, "index is not a JSON object");
        }
        JsonNode weightMapNode = root.get("weight_map");
        if (weightMapNode == null || !weightMapNode.isObject()) {
            throw new SafetensorsFormatException(file, "index has no 'weight_map' object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMapNode.properties()) {
            weightMap.put(e.getKey(), checkedShardName(file, e.getKey(), e.getValue()));
        }
        JsonNode metadataNode = root.get("metadata");
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (metadataNode != null && !metadataNode.isNull()) {
            if (!metadataNode.isObject()) {
                throw new SafetensorsFormatException(file, "index 'metadata' must be a JSON object");
            }
            for (Map.Entry<String, JsonNode> e : metadataNode.properties()) {
                metadata.put(e.getKey(), MAPPER.treeToValue(e.getValue(), Object.class));
            }
        }
        return new CheckpointIndex(metadata, weightMap);
    }

    private static String checkedShardName(Path file, String tensor, JsonNode value) throws SafetensorsFormatException {
        if (!value.isTextual()) {
            throw new SafetensorsFormatException(file, tensor, "weight_map value must be a shard file name, got " + value);
        }
        String shard = value.textValue();
        if (shard.isEmpty() || shard.equals(".") || shard.equals("..") || shard.contains("/") || shard.contains("\\")) {
            throw new SafetensorsFormatException(file, tensor, "shard '" + shard
                    + "' must be a plain file name in the checkpoint's directory");
        }
        return shard;
    }

    /** The index as huggingface_hub writes it ({@code json.dump(index, f, indent=2)}), byte for byte. */
    byte[] toJson() {
        DefaultPrettyPrinter pythonIndent2 = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("metadata", metadata);
        root.put("weight_map", weightMap);
        try {
            return MAPPER.writer(pythonIndent2).writeValueAsBytes(root);
        } catch (JacksonException e) {
            throw new IllegalStateException("metadata values must be JSON-serializable", e);
        }
    }
}
