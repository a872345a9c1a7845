package io.rlhf4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of {@code rlhf4j logprobs} input, tokenized: {@code ids} and the index of the first
 * scored token. A {@code {"text"}} line scores every token after the first (the first has no
 * context). A {@code {"prompt", "response"}} line ({@code "completion"} is accepted for
 * "response", as TRL does) is tokenized as prompt + response, and the first scored token is at
 * len(tokenize(prompt)): TRL's prompt/completion boundary (SFTTrainer, prompt-completion
 * datasets). Both are tokenized with the tokenizer's special tokens (a BOS where it adds one);
 * no EOS is appended.
 */
record ScoringRecord(long line, long[] ids, int firstScored) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Tokens scored: ids[firstScored ..]. */
    int scoredTokens() {
        return ids.length - firstScored;
    }

    /** Parses and tokenizes line {@code line} of {@code file}; problems are errors naming file:line. */
    static ScoringRecord parse(String text, Path file, long line, HfTokenizer tokenizer) {
        String at = file + ":" + line + ": ";
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Main.UserError(at + "not valid JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw new Main.UserError(at + "expected a JSON object, got " + node.getNodeType().toString()
                    .toLowerCase(Locale.ROOT));
        }
        if (node.has("text")) {
            long[] ids = tokenizer.encode(string(node, "text", at), true);
            if (ids.length < 2) {
                throw new Main.UserError(at + "\"text\" has " + ids.length + " token(s); scoring needs at least 2"
                        + " (the first token has no context and is not scored)");
            }
            return new ScoringRecord(line, ids, 1);
        }
        if (node.has("prompt")) {
            String responseField = node.has("response") || !node.has("completion") ? "response" : "completion";
            String prompt = string(node, "prompt", at);
            String response = string(node, responseField, at);
            int boundary = tokenizer.encode(prompt, true).length;
            long[] ids = tokenizer.encode(prompt + response, true);
            if (boundary == 0) {
                throw new Main.UserError(at + "\"prompt\" has no tokens; the first response token needs context");
            }
            if (ids.length <= boundary) {
                throw new Main.UserError(at + "\"" + responseField + "\" adds no tokens to the prompt's;"
                        + " nothing to score");
            }
            return new ScoringRecord(line, ids, boundary);
        }
        throw new Main.UserError(at + "a line needs {\"text\"} or {\"prompt\", \"response\"}, got fields "
                + fieldNames(node));
    }

    private static String string(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw new Main.UserError(at + "missing field \"" + field + "\" (fields: " + fieldNames(node) + ")");
        }
        if (!v.isTextual()) {
            throw new Main.UserError(at + "field \"" + field + "\" must be a string, got "
                    + v.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return v.asText();
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }
}
