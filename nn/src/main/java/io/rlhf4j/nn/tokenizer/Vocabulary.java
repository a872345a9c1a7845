package io.rlhf4j.nn.tokenizer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of tokenizer.json the Rust binding does not expose: the ids of added tokens, the ids of
 * the named special tokens, and the vocabulary size counting added tokens ({@code len(tokenizer)}).
 */
record Vocabulary(Map<String, Long> addedTokens, Set<Long> specialIds, int size, Map<String, Long> named) {

    static Vocabulary read(Path tokenizerJson, String... namedTokens) {
        JsonNode root = TokenizerConfig.readJson(tokenizerJson);
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject() && !vocab.isArray()) {
            throw new TokenizerException(tokenizerJson + ": field model.vocab must be an object or a list");
        }
        Map<String, Long> added = new HashMap<>();
        Set<Long> special = new HashSet<>();
        Set<Long> ids = new HashSet<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (!t.path("content").isTextual() || !t.path("id").isIntegralNumber()) {
                throw new TokenizerException(tokenizerJson + ": every added_tokens entry needs a string content and an integer id");
            }
            added.put(t.get("content").asText(), t.get("id").asLong());
            ids.add(t.get("id").asLong());
            if (t.path("special").asBoolean(false)) {
                special.add(t.get("id").asLong());
            }
        }
        Map<String, Long> named = new HashMap<>();
        for (String token : namedTokens) {
            if (token != null) {
                Long id = added.containsKey(token) ? added.get(token) : idInVocab(vocab, token);
                if (id != null) {
                    named.put(token, id);
                }
            }
        }
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> ids.add(e.getValue().asLong()));
        } else {
            for (long i = 0; i < vocab.size(); i++) {
                ids.add(i);
            }
        }
        return new Vocabulary(Map.copyOf(added), Set.copyOf(special), ids.size(), Map.copyOf(named));
    }

    private static Long idInVocab(JsonNode vocab, String token) {
        if (vocab.isObject()) {
            JsonNode id = vocab.get(token);
            return id == null ? null : id.asLong();
        }
        for (int i = 0; i < vocab.size(); i++) {
            if (token.equals(vocab.get(i).path(0).asText())) {
                return (long) i;
            }
        }
        return null;
    }

    long idOf(String token) {
        return token == null ? -1 : named.getOrDefault(token, -1L);
    }
}
