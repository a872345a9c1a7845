package io.rlhf4j.nn.lora;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * adapter_config.json as PEFT's save_pretrained writes it (keys sorted, two-space indent,
 * peft_type "LORA", inference_mode true) and reads it back. Keys of features rlhf4j does not
 * implement are written with PEFT's "off" values; reading a file that turns one on is an error
 * naming the key, rather than an adapter that silently computes something else.
 */
final class AdapterConfigJson {

    static final String FILE = "adapter_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Python's json.dumps(indent=2), which PEFT's save_pretrained uses (no final newline). */
    private static final DefaultPrettyPrinter PYTHON_INDENT_2 = new DefaultPrettyPrinter(
            Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    /** Keys that must be absent, null, false or empty for an adapter this package can run. */
    private static final String[] UNSUPPORTED = {"use_dora", "lora_bias", "rank_pattern", "alpha_pattern",
        "layers_to_transform", "layers_pattern", "modules_to_save", "layer_replication", "target_parameters",
        "trainable_token_indices", "use_qalora", "alora_invocation_tokens"};

    private AdapterConfigJson() {
    }

    static void write(LoraConfig config, Path directory) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.putObject("alpha_pattern");
        json.put("base_model_name_or_path", config.baseModelNameOrPath());
        json.put("bias", config.bias());
        putTargets(json, "exclude_modules", config.excludeModules());
        json.put("fan_in_fan_out", config.fanInFanOut());
        json.put("inference_mode", true);
        json.put("init_lora_weights", true);
        json.putNull("layers_pattern");
        json.putNull("layers_to_transform");
        if (config.loraAlpha() == Math.rint(config.loraAlpha())) {
            json.put("lora_alpha", (long) config.loraAlpha());
        } else {
            json.put("lora_alpha", config.loraAlpha());
        }
        json.put("lora_bias", false);
        json.put("lora_dropout", config.loraDropout());
        json.putNull("modules_to_save");
        json.put("peft_type", "LORA");
        json.put("r", config.r());
        json.putObject("rank_pattern");
        json.putNull("revision");
        putTargets(json, "target_modules", config.targetModules());
        json.put("task_type", config.taskType());
        json.put("use_dora", false);
        json.put("use_rslora", config.useRslora());
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(FILE), JSON.writer(PYTHON_INDENT_2).writeValueAsString(sorted(json)));
    }

    private static void putTargets(ObjectNode json, String key, TargetModules targets) {
        if (targets == null) {
            json.putNull(key);
        } else if (targets.pattern() != null) {
            json.put(key, targets.pattern());
        } else {
            ArrayNode names = json.putArray(key);
            new TreeSet<>(targets.names()).forEach(names::add);
        }
    }

    private static ObjectNode sorted(ObjectNode node) {
        ObjectNode out = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        names.forEach(name -> out.set(name, node.get(name)));
        return out;
    }

    static LoraConfig read(Path directory) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IOException("no " + FILE + " in " + directory + ": not a PEFT adapter folder");
        }
        JsonNode json = JSON.readTree(file.toFile());
        String peftType = json.path("peft_type").asText("");
        if (!peftType.equals("LORA")) {
            throw new IllegalArgumentException(file + ": peft_type must be \"LORA\", got \"" + peftType + "\"");
        }
        for (String key : UNSUPPORTED) {
            JsonNode v = json.get(key);
            boolean off = v == null || v.isNull() || v.isBoolean() && !v.asBoolean() || v.isContainerNode() && v.isEmpty();
            if (!off) {
                throw new UnsupportedOperationException(file + ": " + key + " = " + v
                        + " is not implemented by rlhf4j's LoRA");
            }
        }
        try {
            return LoraConfig.builder()
                    .r(json.path("r").asInt(8))
                    .loraAlpha(json.path("lora_alpha").asDouble(8))
                    .loraDropout(json.path("lora_dropout").asDouble(0))
                    .targetModules(targets(json.get("target_modules"), file, "target_modules"))
                    .excludeModules(targets(json.get("exclude_modules"), file, "exclude_modules"))
                    .bias(json.path("bias").asText("none"))
                    .fanInFanOut(json.path("fan_in_fan_out").asBoolean(false))
                    .useRslora(json.path("use_rslora").asBoolean(false))
                    .taskType(json.path("task_type").isTextual() ? json.get("task_type").asText() : null)
                    .baseModelNameOrPath(json.path("base_model_name_or_path").isTextual()
                            ? json.get("base_model_name_or_path").asText() : null)
                    .inferenceMode(json.path("inference_mode").asBoolean(true))
                    .build();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static TargetModules targets(JsonNode node, Path file, String key) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return TargetModules.pattern(node.asText());
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(file + ": " + key + " must be a list of names or a string, got " + node);
        }
        List<String> names = new ArrayList<>();
        node.forEach(n -> names.add(n.asText()));
        return TargetModules.of(names);
    }
}
