package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code {prompt}} record to a {@link GRPOExample}, as trl 1.13 GRPOTrainer._tokenize_prompts
 * does: a string prompt is tokenized with the tokenizer's special tokens (BOS where it adds one); a
 * list of chat messages is rendered with the chat template and add_generation_prompt, then
 * tokenized without adding special tokens. A prompt longer than max_prompt_length keeps its last
 * tokens (TRL 0.x's left truncation), and its text is then decoded from the kept ids.
 */
public final class GRPOPromptEncoder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Map<String, Object>>> MESSAGES = new TypeReference<>() { };

    private final HfTokenizer tokenizer;
    private final Integer maxPromptLength;

    /** @param maxPromptLength null for no truncation */
    public GRPOPromptEncoder(HfTokenizer tokenizer, Integer maxPromptLength) {
        this.tokenizer = tokenizer;
        this.maxPromptLength = maxPromptLength;
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * @throws IllegalArgumentException naming the field at fault when the record has no usable prompt
     */
    public GRPOExample encode(ObjectNode record, DatasetStats stats) {
        JsonNode p = record.get("prompt");
        if (p == null) {
            throw new IllegalArgumentException("a GRPO record needs a 'prompt' (string or list of messages), got fields "
                    + record.propertyStream().map(Map.Entry::getKey).toList());
        }
        String text;
        long[] ids;
        if (p.isTextual()) {
            text = p.asText();
            ids = tokenizer.encode(text, true);
        } else if (p.isArray() && !p.isEmpty()) {
            for (int i = 0; i < p.size(); i++) {
                if (!p.get(i).isObject() || !p.get(i).path("role").isTextual()) {
                    throw new IllegalArgumentException("prompt[" + i + "] must be an object with a string 'role'");
                }
            }
            text = tokenizer.applyChatTemplate(JSON.convertValue(p, MESSAGES), true, Map.of());
            ids = tokenizer.encode(text, false);
        } else {
            throw new IllegalArgumentException("field 'prompt' must be a string or a non-empty list of messages");
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("field 'prompt' gives no token");
        }
        if (maxPromptLength != null && ids.length > maxPromptLength) {
            ids = Arrays.copyOfRange(ids, ids.length - maxPromptLength, ids.length);
            text = tokenizer.decode(ids, false);
            stats.truncated();
        }
        stats.kept();
        Map<String, String> columns = new LinkedHashMap<>();
        record.propertyStream().forEach(e -> {
            if (!e.getKey().equals("prompt") && e.getValue().isValueNode()) {
                columns.put(e.getKey(), e.getValue().asText());
            }
        });
        return new GRPOExample(text, ids, columns);
    }
}
