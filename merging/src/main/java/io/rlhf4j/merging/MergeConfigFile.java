package io.rlhf4j.merging;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("merge config " + file + " does not exist");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json");
        if (!json && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            throw new IllegalArgumentException("merge config " + file + " must end in .yaml, .yml or .json");
        }
        return parse(Files.readString(file), json, file.toString());
    }

    /** Parses {@code text} (JSON when {@code json}, else YAML); {@code source} names it in errors. */
    public static MergeConfig parse(String text, boolean json, String source) {
        try {
            MergeConfig config = (json ? JSON : YAML).readValue(text, MergeConfig.class);
            if (config == null) {
                throw new IllegalArgumentException(source + ": empty merge config");
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(source + keyLine(text, e.getPropertyName()) + ": unknown key '" + e.getPropertyName()
                    + "'; known keys: base_model, models, output_dir, method, weights, density, "
                    + "majority_sign_method, normalize, lambda, t, seed", e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException(where(source, e.getLocation()) + cause.getMessage()
                    .lines().findFirst().orElse(""), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where(source, e.getLocation()) + e.getOriginalMessage(), e);
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
