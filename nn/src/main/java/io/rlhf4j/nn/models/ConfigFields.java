package io.rlhf4j.nn.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Typed reads of config.json fields with defaults, and errors that name the file and field. */
final class ConfigFields {

    private final ObjectNode node;
    private final String source;

    ConfigFields(ObjectNode node, String source) {
        this.node = node;
        this.source = source;
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    int required(String key) {
        if (!has(key)) {
            throw error("missing required field '" + key + "'");
        }
        return integer(key, 0);
    }

    int integer(String key, int fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode v = node.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error("field '" + key + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    double number(String key, double fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode v = node.get(key);
        if (!v.isNumber()) {
            throw error("field '" + key + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode v = node.get(key);
        if (!v.isBoolean()) {
            throw error("field '" + key + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    String string(String key, String fallback) {
        return has(key) ? node.get(key).asText() : fallback;
    }

    IllegalArgumentException error(String message) {
        return new IllegalArgumentException(source + ": " + message);
    }
}
