package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a stage config from a YAML or JSON file, applies {@code --set key=value} overrides and
 * validates the result. Every error is a {@link ConfigException} whose lines start with where the
 * fault is: {@code run.yaml:7:} for a key in the file (syntax errors add the column),
 * {@code --set learning_rate=-1:} for an override, nothing for a default value.
 */
public final class ConfigLoader {

    /** A config file's format, chosen by its extension. */
    public enum Format { YAML, JSON }

    private static final ObjectMapper YAML = configure(YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());
    private static final ObjectMapper JSON = configure(JsonMapper.builder().build());

    private ConfigLoader() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The defaults of {@code type} with the overrides applied, validated. */
    public static <T extends BaseConfig> T defaults(Class<T> type, List<String> overrides) {
        return finish(newInstance(type), type, overrides, "defaults", Map.of());
    }

    /** Reads {@code file} (.yaml, .yml or .json), applies the overrides and validates. */
    public static <T extends BaseConfig> T load(Path file, Class<T> type, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e, e);
        }
        return parse(text, formatOf(file), type, overrides, file.toString());
    }

    /** As {@link #load} for text already in memory; {@code source} names it in messages. */
    public static <T extends BaseConfig> T parse(String text, Format format, Class<T> type, List<String> overrides,
            String source) {
        ObjectMapper mapper = format == Format.YAML ? YAML : JSON;
        T config = text.isBlank() ? newInstance(type) : read(mapper, text, type, source);
        return finish(config, type, overrides, source, text.isBlank() ? Map.of() : keyLines(mapper, text));
    }

    public static String toYaml(BaseConfig config) {
        return write(YAML, config);
    }

    public static String toJson(BaseConfig config) {
        return write(JSON, config);
    }

    public static Format formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return Format.YAML;
        }
        if (name.endsWith(".json")) {
            return Format.JSON;
        }
        throw new ConfigException(file + ": a config file must end in .yaml, .yml or .json");
    }

    private static String write(ObjectMapper mapper, BaseConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + config.getClass().getSimpleName(), e);
        }
    }

    private static <T extends BaseConfig> T read(ObjectMapper mapper, String text, Class<T> type, String source) {
        checkSyntax(mapper, text, source);
        try {
            return mapper.readerFor(type).readValue(text);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(where(source, e.getLocation(), false)
                    + ConfigKeys.of(type).unknownKeyMessage(e.getPropertyName()), e);
        } catch (JsonMappingException e) {
            throw new ConfigException(where(source, e.getLocation(), false) + mappingProblem(e, type), e);
        } catch (JsonProcessingException e) {
            throw syntaxError(mapper, source, e);
        }
    }

    /**
     * Parses the whole text before binding it: binding stops at the first key it cannot use, which
     * would hide a syntax error further down behind a misleading message.
     */
    private static void checkSyntax(ObjectMapper mapper, String text, String source) {
        try {
            mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw syntaxError(mapper, source, e);
        }
    }

    private static ConfigException syntaxError(ObjectMapper mapper, String source, JsonProcessingException e) {
        String kind = mapper == YAML ? "YAML" : "JSON";
        return new ConfigException(where(source, e.getLocation(), true) + kind + " syntax error: "
                + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }

    /** "learning_rate takes a number, got 'abc'" for a value of the wrong type. */
    private static String mappingProblem(JsonMappingException e, Class<? extends BaseConfig> type) {
        List<JsonMappingException.Reference> path = e.getPath();
        String key = path.isEmpty() ? null : path.get(0).getFieldName();
        if (key == null) {
            return "a config must be a mapping of key: value, " + e.getOriginalMessage().lines().findFirst().orElse("");
        }
        String expected = ConfigKeys.of(type).field(key).map(ConfigLoader::describe).orElse("another type");
        String got = e instanceof InvalidFormatException f ? ", got '" + f.getValue() + "'" : "";
        return key + " takes " + expected + got;
    }

    private static String describe(Field f) {
        Class<?> t = f.getType();
        if (t == double.class || t == Double.class) {
            return "a number";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "a whole number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "a mapping of name: value";
        }
        return List.class.isAssignableFrom(t) ? "a list" : "a string";
    }

    private static String where(String source, JsonLocation location, boolean withColumn) {
        if (location == null || location.getLineNr() <= 0) {
            return source + ": ";
        }
        return source + ":" + location.getLineNr() + (withColumn ? ":" + location.getColumnNr() : "") + ": ";
    }

    /** The line of each top-level key, so validation errors can point at it. */
    private static Map<String, Integer> keyLines(ObjectMapper mapper, String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = mapper.createParser(text)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                } else if (t == JsonToken.FIELD_NAME && depth == 1) {
                    lines.put(p.currentName(), p.currentLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("config text parsed once but not twice", e);
        }
        return lines;
    }

    private static <T extends BaseConfig> T finish(T config, Class<T> type, List<String> overrides, String source,
            Map<String, Integer> keyLines) {
        ConfigKeys keys = ConfigKeys.of(type);
        Map<String, String> setBy = new HashMap<>();
        for (String argument : overrides) {
            Overrides.Override o = Overrides.parse(argument, keys);
            ObjectNode node = JsonNodeFactory.instance.objectNode().set(o.key(), o.value());
            try {
                JSON.readerForUpdating(config).readValue(node);
            } catch (IOException e) {
                throw new ConfigException("--set " + argument + ": " + mappingProblem((JsonMappingException) e, type),
                        e);
            }
            setBy.put(o.key(), "--set " + argument);
        }
        List<String> lines = new ArrayList<>();
        for (Validator.Problem problem : config.validate()) {
            String origin = setBy.get(problem.field());
            if (origin == null && keyLines.containsKey(problem.field())) {
                origin = source + ":" + keyLines.get(problem.field());
            }
            lines.add(origin == null ? problem.message() : origin + ": " + problem.message());
        }
        if (!lines.isEmpty()) {
            throw new ConfigException("invalid " + type.getSimpleName() + " (" + source + "):\n  "
                    + String.join("\n  ", lines));
        }
        return config;
    }

    private static <T> T newInstance(Class<T> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + " needs a public no-argument constructor", e);
        }
    }
}
