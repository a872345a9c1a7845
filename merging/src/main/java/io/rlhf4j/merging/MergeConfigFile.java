package io.rlhf4j.merging;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a {@link MergeConfig} from YAML ({@code .yaml}/{@code .yml}) or JSON ({@code .json}).
 * Errors name the file, the line and the key at fault.
 */
public final class MergeConfigFile {

    private static final ObjectMapper YAML = configure(YAMLMapper.builder().build());
    private static final ObjectMapper JSON = configure(JsonMapper.builder().build());

    private MergeConfigFile() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** The config in {@code file}; an {@link IllegalArgumentException} names the file, line and key at fault. */
    public static MergeConfig load(Path file) throws IOException {
        return parse(Files.readString(checkedFile(file)), isJson(file), file.toString());
    }

    private static boolean isJson(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    }

    /** {@code file}, once it is known to exist with a config extension. */
    private static Path checkedFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("merge config " + file + " does not exist");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!isJson(file) && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            throw new IllegalArgumentException("merge config " + file + " must end in .yaml, .yml or .json");
        }
        return file;
    }

    /**
     * The config in {@code file} with {@code overrides} ("key=value", the value read as YAML, e.g.
     * {@code density=0.3}, {@code models=[a, b]}) replacing or adding top-level keys.
     */
    public static MergeConfig load(Path file, List<String> overrides) throws IOException {
        if (overrides.isEmpty()) {
            return load(file);
        }
        String text = Files.readString(checkedFile(file));
        ObjectNode tree;
        try {
            JsonNode root = (isJson(file) ? JSON : YAML).readTree(text);
            tree = root instanceof ObjectNode o ? o : JSON.createObjectNode();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where(file.toString(), e.getLocation()) + e.getOriginalMessage(), e);
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set " + o + ": expected key=value");
            }
            JsonNode value = YAML.readTree(o.substring(eq + 1));
            tree.set(o.substring(0, eq).strip(), value == null || value.isMissingNode() ? NullNode.getInstance() : value);
        }
        return parse(YAML.writeValueAsString(tree), false, file + " with --set " + overrides, false);
    }

    /** Parses {@code text} (JSON when {@code json}, else YAML); {@code source} names it in errors. */
    public static MergeConfig parse(String text, boolean json, String source) {
        return parse(text, json, source, true);
    }

    /** {@code lines}: whether line numbers in {@code text} mean anything to the user (not for a rewritten config). */
    private static MergeConfig parse(String text, boolean json, String source, boolean lines) {
        try {
            MergeConfig config = (json ? JSON : YAML).readValue(text, MergeConfig.class);
            if (config == null) {
                throw new IllegalArgumentException(source + ": empty merge config");
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            String line = lines ? keyLine(text, e.getPropertyName()) : "";
            throw new IllegalArgumentException(source + line + ": unknown key '" + e.getPropertyName()
                    + "'; known keys: base_model, models, output_dir, method, weights, density, "
                    + "majority_sign_method, normalize, lambda, t, seed", e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException(where(source, lines ? e.getLocation() : null) + cause.getMessage()
                    .lines().findFirst().orElse(""), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where(source, lines ? e.getLocation() : null) + e.getOriginalMessage(), e);
        }
    }

    /** ":line" of the first line that defines {@code key} (YAML "key:" or JSON "\"key\":"), or "". */
    private static String keyLine(String text, String key) {
        Pattern p = Pattern.compile("^\\s*(?:\"" + Pattern.quote(key) + "\"|" + Pattern.quote(key) + ")\\s*:|[{,]\\s*\""
                + Pattern.quote(key) + "\"\\s*:");
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).find()) {
                return ":" + (i + 1);
            }
        }
        return "";
    }

    private static String where(String source, JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? source + ": " : source + ":" + location.getLineNr() + ": ";
    }
}
