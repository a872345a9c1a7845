package io.rlhf4j.trainers.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rlhf4j.trainers.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pipeline: where it writes, its seed, an optional task-accuracy file and the ordered stages.
 * <pre>
 * output_dir: runs/pipeline
 * seed: 42                       # given to every stage (a stage's set.seed wins)
 * accuracy_file: examples/data/arithmetic_eval.jsonl   # optional {prompt, answer} records
 * accuracy_max_new_tokens: 8
 * stages:
 *   - {name: sft, type: sft, config: examples/sft.yaml, set: {max_steps: 30}}
 *   - {name: rm, type: rm, config: examples/rm.yaml}
 *   - {name: grpo, type: grpo, config: examples/grpo.yaml}
 *   - {name: gate, type: eval, config: examples/eval.yaml, set: {reward_model: "${rm}"}, on_fail: rollback}
 * </pre>
 * Errors name the pipeline file and the stage and key at fault.
 */
public record PipelineConfig(String outputDir, Long seed, String accuracyFile, int accuracyMaxNewTokens,
        List<StageSpec> stages) {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Set<String> TOP_KEYS = Set.of("output_dir", "seed", "accuracy_file",
            "accuracy_max_new_tokens", "stages");
    private static final Set<String> STAGE_KEYS = Set.of("name", "type", "config", "set", "on_fail");

    /** Checked here, so a file and a --set override meet the same rules. */
    public PipelineConfig {
        if (outputDir == null || outputDir.isBlank()) {
            throw new ConfigException("output_dir must name the pipeline's folder");
        }
        if (accuracyMaxNewTokens < 1) {
            throw new ConfigException("accuracy_max_new_tokens must be >= 1, got " + accuracyMaxNewTokens);
        }
        stages = List.copyOf(stages);
    }

    /** Reads a pipeline YAML and applies {@code --set} overrides (see {@link #withOverride}). */
    public static PipelineConfig load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read pipeline file " + file + ": " + e, e);
        }
        PipelineConfig c = parse(text, file.toString());
        for (String o : overrides) {
            c = c.withOverride(o);
        }
        return c;
    }

    /** Parses pipeline YAML; {@code source} names it in messages. */
    public static PipelineConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ":" + e.getLocation().getLineNr() + ": YAML syntax error: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": a pipeline is a mapping with output_dir and stages");
        }
        checkKeys(root, TOP_KEYS, source + ": ");
        String outputDir = text(root, "output_dir", source + ": ");
        if (outputDir == null || outputDir.isBlank()) {
            throw new ConfigException(source + ": output_dir must name the pipeline's folder");
        }
        Long seed = root.hasNonNull("seed") ? wholeNumber(root.get("seed"), source + ": seed") : null;
        int maxNew = root.hasNonNull("accuracy_max_new_tokens")
                ? Math.toIntExact(wholeNumber(root.get("accuracy_max_new_tokens"), source + ": accuracy_max_new_tokens"))
                : 8;
        if (maxNew < 1) {
            throw new ConfigException(source + ": accuracy_max_new_tokens must be >= 1, got " + maxNew);
        }
        JsonNode list = root.get("stages");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new ConfigException(source + ": stages must be a non-empty list of {name, type, config}");
        }
        List<StageSpec> stages = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            StageSpec s = stage(list.get(i), source + ": stages[" + i + "]");
            if (!names.add(s.name())) {
                throw new ConfigException(source + ": stages[" + i + "] (" + s.name() + "): name '" + s.name()
                        + "' is used by an earlier stage; stage names must be unique");
            }
            stages.add(s);
        }
        return new PipelineConfig(outputDir, seed, text(root, "accuracy_file", source + ": "), maxNew, stages);
    }

    private static StageSpec stage(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ConfigException(where + ": a stage is a mapping of name, type, config, set, on_fail");
        }
        String name = text(node, "name", where + ": ");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(where + ": name must be letters, digits, _ or -, got " + name);
        }
        String at = where + " (" + name + "): ";
        checkKeys(node, STAGE_KEYS, at);
        String typeKey = text(node, "type", at);
        if (typeKey == null) {
            throw new ConfigException(at + "type is missing; one of sft, rm, prm, dpo, simpo, kto, grpo, ppo, eval");
        }
        StageType type;
        try {
            type = StageType.of(typeKey);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + "type: " + e.getMessage());
        }
        Map<String, String> set = new LinkedHashMap<>();
        JsonNode s = node.get("set");
        if (s != null && !s.isNull()) {
            if (!s.isObject()) {
                throw new ConfigException(at + "set must be a mapping of key: value overrides");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                set.put(e.getKey(), overrideValue(e.getValue(), at + "set." + e.getKey()));
            }
        }
        String onFail = text(node, "on_fail", at);
        if (onFail == null) {
            onFail = StageSpec.STOP;
        } else if (!onFail.equals(StageSpec.STOP) && !onFail.equals(StageSpec.ROLLBACK)) {
            throw new ConfigException(at + "on_fail must be stop or rollback, got '" + onFail + "'");
        } else if (type != StageType.EVAL) {
            throw new ConfigException(at + "on_fail applies to eval stages only (this one is " + type.key() + ")");
        }
        return new StageSpec(name, type, text(node, "config", at), set, onFail);
    }

    /** A --set value for a YAML value: scalars as written, lists comma-joined, mappings as name:value pairs. */
    private static String overrideValue(JsonNode v, String where) {
        if (v.isNull()) {
            return "null";
        }
        if (v.isValueNode()) {
            return v.asText();
        }
        List<String> parts = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(e -> parts.add(overrideValue(e, where)));
        } else {
            v.fields().forEachRemaining(e -> parts.add(e.getKey() + ":" + overrideValue(e.getValue(), where)));
        }
        return String.join(",", parts);
    }

    /**
     * Applies one command-line override: {@code output_dir=}, {@code seed=}, {@code accuracy_file=},
     * {@code accuracy_max_new_tokens=}, or {@code stages.<name>.<key>=value} (added to that stage's set).
     */
    public PipelineConfig withOverride(String argument) {
        int eq = argument.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set " + argument + ": expected key=value");
        }
        String key = argument.substring(0, eq).trim();
        String value = argument.substring(eq + 1).trim();
        String where = "--set " + argument + ": ";
        if (key.startsWith("stages.")) {
            int dot = key.indexOf('.', 7);
            String name = dot < 0 ? key.substring(7) : key.substring(7, dot);
            if (dot < 0 || dot == key.length() - 1) {
                throw new ConfigException(where + "a stage override is stages.<name>.<key>=value");
            }
            List<StageSpec> changed = new ArrayList<>();
            boolean found = false;
            for (StageSpec s : stages) {
                found |= s.name().equals(name);
                changed.add(s.name().equals(name) ? s.with(key.substring(dot + 1), value) : s);
            }
            if (!found) {
                throw new ConfigException(where + "no stage named '" + name + "'; stages are "
                        + stages.stream().map(StageSpec::name).toList());
            }
            return new PipelineConfig(outputDir, seed, accuracyFile, accuracyMaxNewTokens, changed);
        }
        try {
            return switch (key) {
                case "output_dir" -> new PipelineConfig(value, seed, accuracyFile, accuracyMaxNewTokens, stages);
                case "seed" -> new PipelineConfig(outputDir, Long.parseLong(value), accuracyFile,
                        accuracyMaxNewTokens, stages);
                case "accuracy_file" -> new PipelineConfig(outputDir, seed, value.equals("null") ? null : value,
                        accuracyMaxNewTokens, stages);
                case "accuracy_max_new_tokens" -> new PipelineConfig(outputDir, seed, accuracyFile,
                        Integer.parseInt(value), stages);
                default -> throw new ConfigException(where + "unknown key '" + key + "'; pipeline keys are "
                        + TOP_KEYS.stream().sorted().toList() + " and stages.<name>.<key>");
            };
        } catch (NumberFormatException e) {
            throw new ConfigException(where + key + " takes a whole number, got '" + value + "'");
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(where) ? e : new ConfigException(where + e.getMessage(), e);
        }
    }

    private static void checkKeys(JsonNode node, Set<String> known, String at) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new ConfigException(at + "unknown key '" + k + "'; known keys are " + known.stream().sorted()
                        .toList());
            }
        }
    }

    private static String text(JsonNode node, String key, String at) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(at + key + " takes a string");
        }
        return v.asText();
    }

    private static long wholeNumber(JsonNode v, String where) {
        if (!v.canConvertToExactIntegral() || !v.isNumber()) {
            throw new ConfigException(where + " takes a whole number, got '" + v.asText() + "'");
        }
        return v.asLong();
    }
}
