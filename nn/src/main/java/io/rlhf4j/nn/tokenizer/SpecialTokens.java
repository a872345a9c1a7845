package io.rlhf4j.nn.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named special tokens of a tokenizer and their ids. A token the tokenizer does not have is
 * {@code null} (text) and {@code -1} (id).
 *
 * @param eosIds the end-of-sequence ids generation stops at: generation_config.json's
 *     {@code eos_token_id} (an int or a list) when present, else the id of {@code eos_token}
 */
public record SpecialTokens(String bos, String eos, String pad, String unk,
                            long bosId, long eosId, long padId, long unkId, List<Long> eosIds) {

    /** The named tokens as transformers passes them to a chat template ({@code special_tokens_map}). */
    public Map<String, Object> templateVariables() {
        Map<String, Object> out = new LinkedHashMap<>();
        putIfPresent(out, "bos_token", bos);
        putIfPresent(out, "eos_token", eos);
        putIfPresent(out, "unk_token", unk);
        putIfPresent(out, "pad_token", pad);
        return out;
    }

    private static void putIfPresent(Map<String, Object> out, String key, String value) {
        if (value != null) {
            out.put(key, value);
        }
    }
}
