package io.rlhf4j.nn.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.nn.models.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model folder's generation_config.json, read as transformers reads it (generation/
 * configuration_utils.py): when the file exists, each field it sets (non-null) replaces
 * GenerationConfig's default and fields it omits keep the defaults (an omitted eos_token_id
 * means no EOS, as in transformers); when there is no file, {@link GenerationConfig#forModel}
 * takes the EOS and pad ids from config.json, as {@code GenerationConfig.from_model_config}.
 * Read fields: max_new_tokens, max_length, do_sample, temperature, top_k, top_p, eos_token_id
 * (an int or a list), pad_token_id, stop_strings (a string or a list); others (transformers'
 * metadata, beam search settings) are ignored.
 */
public final class GenerationConfigFile {

    public static final String NAME = "generation_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerationConfigFile() {
    }

    /** The generation config of a model folder: its generation_config.json, else config.json's ids. */
    public static GenerationConfig forModelFolder(Path folder, ModelConfig model) {
        Path file = folder.resolve(NAME);
        return Files.isRegularFile(file) ? read(file, GenerationConfig.defaults()) : GenerationConfig.forModel(model);
    }

    /** {@code base} with every field {@code file} sets. */
    public static GenerationConfig read(Path file, GenerationConfig base) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        Fields f = new Fields(root, file);
        try {
            return apply(f, base);
        } catch (IllegalArgumentException e) {
            boolean named = e.getMessage().startsWith(file.toString());
            throw named ? e : new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static GenerationConfig apply(Fields f, GenerationConfig base) {
        GenerationConfig c = base;
        if (f.has("max_new_tokens")) {
            c = c.withMaxNewTokens(f.integer("max_new_tokens"));
        }
        if (f.has("max_length")) {
            c = c.withMaxLength(f.integer("max_length"));
        }
        if (f.has("do_sample")) {
            c = c.withDoSample(f.bool("do_sample"));
        }
        if (f.has("temperature")) {
            double t = f.number("temperature");
            // transformers ignores the temperature of greedy decoding (with a warning), 0 included.
            if (t > 0 || c.doSample()) {
                c = c.withTemperature(t);
            }
        }
        if (f.has("top_k")) {
            c = c.withTopK(f.integer("top_k"));
        }
        if (f.has("top_p")) {
            c = c.withTopP(f.number("top_p"));
        }
        if (f.has("eos_token_id")) {
            c = c.withEosTokenIds(f.ids("eos_token_id"));
        }
        if (f.has("pad_token_id")) {
            c = c.withPadTokenId((long) f.integer("pad_token_id"));
        }
        if (f.has("stop_strings")) {
            c = c.withStopStrings(f.strings("stop_strings"));
        }
        return c;
    }

    /** Typed reads whose errors name the file and field. */
    private record Fields(JsonNode root, Path file) {

        boolean has(String key) {
            return root.hasNonNull(key);
        }

        int integer(String key) {
            JsonNode v = root.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw error(key, "an integer", v);
            }
            return v.asInt();
        }

        double number(String key) {
            JsonNode v = root.get(key);
            if (!v.isNumber()) {
                throw error(key, "a number", v);
            }
            return v.asDouble();
        }

        boolean bool(String key) {
            JsonNode v = root.get(key);
            if (!v.isBoolean()) {
                throw error(key, "true or false", v);
            }
            return v.asBoolean();
        }

        List<Long> ids(String key) {
            JsonNode v = root.get(key);
            List<Long> out = new ArrayList<>();
            for (JsonNode id : v.isArray() ? v : List.of(v)) {
                if (!id.isIntegralNumber() || id.asLong() < 0) {
                    throw error(key, "a token id or a list of token ids", v);
                }
                out.add(id.asLong());
            }
            return out;
        }

        List<String> strings(String key) {
            JsonNode v = root.get(key);
            List<String> out = new ArrayList<>();
            for (JsonNode s : v.isArray() ? v : List.of(v)) {
                if (!s.isTextual()) {
                    throw error(key, "a string or a list of strings", v);
                }
                out.add(s.asText());
            }
            return out;
        }

        IllegalArgumentException error(String key, String expected, JsonNode got) {
            return new IllegalArgumentException(file + ": field " + key + " must be " + expected + ", got " + got);
        }
    }
}
