package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.F;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.config.SFTConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns one SFT record into an {@link SFTExample}, following TRL's SFTTrainer
 * (trl 1.13, sft_trainer.py, _prepare_dataset) for the three record shapes:
 * <ul>
 *   <li>{@code {prompt, response}} (or TRL's {@code completion}): the EOS token text is appended to the
 *       response unless it already ends with it; ids = tokenize(prompt + response) with the
 *       tokenizer's special tokens (BOS where its post-processor adds one); the first
 *       len(tokenize(prompt)) labels are −100 when completion_only_loss is on.</li>
 *   <li>{@code {messages: [...]}}: rendered with the chat template, loss on assistant turns only
 *       when assistant_only_loss is on ({@link ChatLabels}).</li>
 *   <li>{@code {text}} (dataset_text_field): EOS appended as above, loss on every token.</li>
 * </ul>
 * Then truncation to max_length (keep_start keeps the first tokens, keep_end the last), and an
 * example left with no label to learn from is dropped (null), as TRL drops fully masked examples.
 */
public final class SFTEncoder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Map<String, Object>>> MESSAGES = new TypeReference<>() { };

    private final HfTokenizer tokenizer;
    private final String eos;
    private final Integer maxLength;
    private final boolean keepEnd;
    private final boolean masksPrompt;
    private final boolean assistantOnly;
    private final String textField;

    public SFTEncoder(HfTokenizer tokenizer, SFTConfig config) {
        this.tokenizer = tokenizer;
        this.eos = tokenizer.specialTokens().eos();
        this.maxLength = config.maxLength;
        this.keepEnd = "keep_end".equals(config.truncationMode);
        this.masksPrompt = config.masksPrompt();
        this.assistantOnly = config.assistantOnlyLoss;
        this.textField = config.datasetTextField;
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The example for {@code record}, or null when it was dropped; counts truncation and drops in
     * {@code stats}.
     *
     * @throws IllegalArgumentException naming the field at fault when the record has no usable shape
     */
    public SFTExample encode(ObjectNode record, DatasetStats stats) {
        SFTExample full = tokenize(record);
        SFTExample example = truncate(full);
        if (example.length() < full.length()) {
            stats.truncated();
        }
        if (example.lossTokens() == 0) {
            stats.droppedNoLoss();
            return null;
        }
        stats.kept();
        return example;
    }

    private SFTExample tokenize(ObjectNode record) {
        if (record.has("messages")) {
            List<Map<String, Object>> messages = messages(record.get("messages"));
            return ChatLabels.encode(tokenizer, messages, assistantOnly);
        }
        if (record.has("prompt")) {
            String response = record.has("response") ? text(record, "response") : text(record, "completion");
            return promptResponse(text(record, "prompt"), withEos(response));
        }
        if (record.has(textField)) {
            return SFTExample.allTokens(tokenizer.encode(withEos(text(record, textField)), true));
        }
        throw new IllegalArgumentException("an SFT record needs {prompt, response}, {messages} or {" + textField
                + "}, got fields " + fieldNames(record));
    }

    private SFTExample promptResponse(String prompt, String response) {
        long[] promptIds = tokenizer.encode(prompt, true);
        long[] ids = tokenizer.encode(prompt + response, true);
        long[] labels = ids.clone();
        if (masksPrompt) {
            Arrays.fill(labels, 0, Math.min(promptIds.length, ids.length), F.IGNORE_INDEX);
        }
        return new SFTExample(ids, labels);
    }

    private SFTExample truncate(SFTExample e) {
        if (maxLength == null || e.length() <= maxLength) {
            return e;
        }
        int from = keepEnd ? e.length() - maxLength : 0;
        return new SFTExample(Arrays.copyOfRange(e.inputIds(), from, from + maxLength),
                Arrays.copyOfRange(e.labels(), from, from + maxLength));
    }

    private String withEos(String text) {
        return eos == null || text.endsWith(eos) ? text : text + eos;
    }

    static String text(ObjectNode record, String field) {
        JsonNode v = record.get(field);
        if (v == null) {
            throw new IllegalArgumentException("missing field '" + field + "' (fields: " + fieldNames(record) + ")");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, got "
                    + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return v.asText();
    }

    static List<Map<String, Object>> messages(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("field 'messages' must be a non-empty list of {role, content}");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new IllegalArgumentException("messages[" + i + "] must be an object with a string 'role'");
            }
        }
        return JSON.convertValue(node, MESSAGES);
    }

    static List<String> fieldNames(ObjectNode record) {
        return record.propertyStream().map(Map.Entry::getKey).toList();
    }
}
