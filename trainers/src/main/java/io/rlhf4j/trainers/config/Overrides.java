package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * {@code --set key=value} arguments, typed by the field they set: numbers parse as numbers,
 * booleans accept only true/false, lists split on commas (an empty value is an empty list), mappings
 * are comma-separated {@code name:value} entries that replace the whole mapping, and {@code null}
 * clears a field that may be null.
 */
final class Overrides {

    /** One parsed override: the key and the JSON value to set. */
    record Override(String key, JsonNode value, String argument) {
    }

    private Overrides() {
    }

    static Override parse(String argument, ConfigKeys keys) {
        int eq = argument.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set " + argument + ": expected key=value");
        }
        String key = argument.substring(0, eq).trim();
        String text = argument.substring(eq + 1).trim();
        Field field = keys.field(key)
                .orElseThrow(() -> new ConfigException("--set " + argument + ": " + keys.unknownKeyMessage(key)));
        try {
            return new Override(key, toNode(text, field.getType(), field.getGenericType()), argument);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--set " + argument + ": " + key + " " + e.getMessage());
        }
    }

    private static JsonNode toNode(String text, Class<?> type, Type generic) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (text.equals("null")) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException("cannot be null");
            }
            return f.nullNode();
        }
        if (List.class.isAssignableFrom(type)) {
            Class<?> element = elementType(generic);
            ArrayNode array = f.arrayNode();
            if (!text.isEmpty()) {
                for (String part : text.split(",", -1)) {
                    array.add(toNode(part.trim(), element, element));
                }
            }
            return array;
        }
        if (Map.class.isAssignableFrom(type)) {
            Class<?> value = valueType(generic);
            ObjectNode map = f.objectNode();
            if (!text.isEmpty()) {
                for (String part : text.split(",", -1)) {
                    int colon = part.indexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("takes name:value entries separated by commas, got '"
                                + part.trim() + "'");
                    }
                    map.set(part.substring(0, colon).trim(), toNode(part.substring(colon + 1).trim(), value, value));
                }
            }
            return map;
        }
        if (type == double.class || type == Double.class) {
            return f.numberNode(parseNumber(text, "a number"));
        }
        if (type == int.class || type == Integer.class) {
            return f.numberNode(parseInteger(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        }
        if (type == long.class || type == Long.class) {
            return f.numberNode(parseInteger(text, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        if (type == boolean.class || type == Boolean.class) {
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return f.booleanNode(Boolean.parseBoolean(text.toLowerCase()));
            }
            throw new IllegalArgumentException("takes true or false, got '" + text + "'");
        }
        if (type == String.class) {
            return f.textNode(text);
        }
        throw new IllegalStateException("no --set conversion for fields of type " + type.getName());
    }

    private static double parseNumber(String text, String what) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("takes " + what + ", got '" + text + "'");
        }
    }

    private static long parseInteger(String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("takes a whole number, got '" + text + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("must be in [" + min + ", " + max + "], got " + text);
        }
        return v;
    }

    private static Class<?> valueType(Type generic) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[1] instanceof Class<?> c) {
            return c;
        }
        return String.class;
    }

    private static Class<?> elementType(Type generic) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        return String.class;
    }
}
