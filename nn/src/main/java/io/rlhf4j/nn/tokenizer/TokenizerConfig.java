package io.rlhf4j.nn.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a tokenizer folder says besides tokenizer.json: tokenizer_config.json (special tokens, chat
 * templates, {@code clean_up_tokenization_spaces}), special_tokens_map.json (legacy) and
 * generation_config.json ({@code eos_token_id}).
 *
 * @param chatTemplates named templates; a plain-string {@code chat_template} is named "default"
 * @param generationEosIds generation_config.json's {@code eos_token_id}, or null when absent
 */
record TokenizerConfig(String bos, String eos, String pad, String unk, Map<String, String> chatTemplates,
                       boolean cleanUpTokenizationSpaces, List<Long> generationEosIds) {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TOKEN_KEYS = {"bos_token", "eos_token", "pad_token", "unk_token"};

    static TokenizerConfig read(Path folder) {
        Path configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = Files.exists(configFile) ? readJson(configFile) : JSON.createObjectNode();
        if (!config.isObject()) {
            throw new TokenizerException(configFile + ": expected a JSON object");
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String key : TOKEN_KEYS) {
            tokens.put(key, tokenText(config.get(key), configFile, key));
        }
        // transformers 5.17 (tokenization_utils_base.py, from_pretrained) merges the legacy
        // special_tokens_map.json over tokenizer_config.json only when the latter has no added_tokens_decoder.
        Path mapFile = folder.resolve("special_tokens_map.json");
        if (Files.exists(mapFile) && !config.has("added_tokens_decoder")) {
            JsonNode map = readJson(mapFile);
            for (String key : TOKEN_KEYS) {
                if (map.has(key)) {
                    tokens.put(key, tokenText(map.get(key), mapFile, key));
                }
            }
        }
        JsonNode cleanUp = config.get("clean_up_tokenization_spaces");
        if (cleanUp != null && !cleanUp.isBoolean() && !cleanUp.isNull()) {
            throw new TokenizerException(configFile + ": field clean_up_tokenization_spaces must be a boolean, got " + cleanUp);
        }
        return new TokenizerConfig(tokens.get("bos_token"), tokens.get("eos_token"), tokens.get("pad_token"),
                tokens.get("unk_token"), chatTemplates(config.get("chat_template"), folder, configFile),
                cleanUp != null && cleanUp.asBoolean(), generationEosIds(folder.resolve("generation_config.json")));
    }

    /** A special token is a string, null, or an AddedToken dict ({@code {"__type": "AddedToken", "content": ...}}). */
    private static String tokenText(JsonNode node, Path file, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").asText();
        }
        throw new TokenizerException(file + ": field " + field
                + " must be a string or an AddedToken object with a string \"content\", got " + node);
    }

    private static Map<String, String> chatTemplates(JsonNode node, Path folder, Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            // transformers 5 saves the template beside the config as chat_template.jinja.
            Path jinja = folder.resolve("chat_template.jinja");
            if (Files.exists(jinja)) {
                try {
                    out.put("default", Files.readString(jinja));
                } catch (IOException e) {
                    throw new TokenizerException("cannot read " + jinja, e);
                }
            }
            return out;
        }
        if (node.isTextual()) {
            out.put("default", node.asText());
            return out;
        }
        if (!node.isArray()) {
            throw new TokenizerException(file + ": field chat_template must be a string or a list of {name, template}, got "
                    + node.getNodeType());
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            if (!entry.path("name").isTextual() || !entry.path("template").isTextual()) {
                throw new TokenizerException(file + ": field chat_template[" + i
                        + "] must have string \"name\" and \"template\"");
            }
            out.put(entry.get("name").asText(), entry.get("template").asText());
        }
        return out;
    }

    private static List<Long> generationEosIds(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode eos = readJson(file).get("eos_token_id");
        if (eos == null || eos.isNull()) {
            return null;
        }
        List<Long> ids = new ArrayList<>();
        if (eos.isIntegralNumber()) {
            ids.add(eos.asLong());
        } else if (eos.isArray()) {
            for (JsonNode id : eos) {
                if (!id.isIntegralNumber()) {
                    throw new TokenizerException(file + ": field eos_token_id must hold integers, got " + id);
                }
                ids.add(id.asLong());
            }
        } else {
            throw new TokenizerException(file + ": field eos_token_id must be an integer or a list of integers, got " + eos);
        }
        return List.copyOf(ids);
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }
}
