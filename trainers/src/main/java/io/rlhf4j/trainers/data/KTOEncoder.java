package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.util.Locale;

/**
 * Turns one unpaired record into a {@link KTOExample}. Records are {@code {prompt, completion, label}}
 * (TRL's unpaired format, label a boolean) or {@code {prompt, response, label}} (the
 * specification's, label 1 desirable / 0 undesirable); either label form is accepted with either
 * field name. Tokenization, the appended EOS, the conversational format (prompt and completion as
 * message lists) and truncation are exactly {@link PreferenceEncoder}'s for one response: the
 * record is encoded as a pair whose two sides are the same completion.
 */
public final class KTOEncoder implements RecordEncoder<KTOExample> {

    private final PreferenceEncoder pairs;

    /**
     * @param maxLength       longest prompt + completion, or null for no limit
     * @param maxPromptLength the prompt's length when the example must be truncated, or null
     * @param truncationMode  keep_start or keep_end (which prompt tokens survive)
     */
    public KTOEncoder(HfTokenizer tokenizer, Integer maxLength, Integer maxPromptLength, String truncationMode) {
        this.pairs = new PreferenceEncoder(tokenizer, maxLength, maxPromptLength, truncationMode);
    }

    public HfTokenizer tokenizer() {
        return pairs.tokenizer();
    }

    @Override
    public KTOExample encode(ObjectNode record, DatasetStats stats) {
        String field = completionField(record);
        if (!record.has("prompt") || !record.has("label")) {
            throw new IllegalArgumentException("a KTO record needs {prompt, completion (or response), label}: missing"
                    + " field '" + (record.has("prompt") ? "label" : "prompt") + "' (fields: "
                    + SFTEncoder.fieldNames(record) + ")");
        }
        boolean desirable = label(record.get("label"));
        JsonNode prompt = record.get("prompt");
        JsonNode completion = record.get(field);
        if (!completion.isArray() && !completion.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be text or a list of messages, got "
                    + kind(completion));
        }
        if (prompt.isArray() != completion.isArray()) {
            throw new IllegalArgumentException("fields 'prompt' and '" + field + "' must both be text or both be"
                    + " lists of messages, got " + kind(prompt) + " and " + kind(completion));
        }
        ObjectNode pair = record.objectNode();
        pair.set("prompt", prompt);
        pair.set("chosen", completion);
        pair.set("rejected", completion);
        PreferenceExample p = pairs.encode(pair, stats);
        return p == null ? null : new KTOExample(p.chosenIds(), p.promptLength(), desirable);
    }

    private static String completionField(ObjectNode record) {
        boolean completion = record.has("completion");
        boolean response = record.has("response");
        if (completion && response) {
            throw new IllegalArgumentException("a KTO record has both 'completion' and 'response': give one");
        }
        if (!completion && !response) {
            throw new IllegalArgumentException("a KTO record needs {prompt, completion (or response), label}: missing"
                    + " field 'completion' (fields: " + SFTEncoder.fieldNames(record) + ")");
        }
        return completion ? "completion" : "response";
    }

    /** true/false, or 1/0 (as an integer or 1.0/0.0). */
    static boolean label(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber() && (node.doubleValue() == 1 || node.doubleValue() == 0)) {
            return node.doubleValue() == 1;
        }
        throw new IllegalArgumentException("field 'label' must be true/false or 1/0 (1 desirable, 0 undesirable),"
                + " got " + node);
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "a list" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
