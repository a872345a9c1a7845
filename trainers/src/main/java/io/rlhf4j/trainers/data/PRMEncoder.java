package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.F;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * TRL's stepwise records {@code {"prompt": str, "completions": [str, ...], "labels": [bool, ...]}}
 * tokenized exactly as trl 1.13's PRMTrainer.tokenize_row (trl/experimental/prm/prm_trainer.py):
 * the prompt and each step are encoded alone without special tokens, the separator's ids are
 * appended to every step, each step's label goes on its last token (−100 elsewhere), the
 * tokenizer's BOS (if it has one) is put before the prompt, the completion is cut to
 * max_completion_length and then the whole sequence to max_length. With train_on_last_step_only,
 * training examples keep only the last step's label; evaluation examples keep every label.
 */
public final class PRMEncoder implements RecordEncoder<PRMExample> {

    private final HfTokenizer tokenizer;
    private final long[] separatorIds;
    private final long bosId;
    private final Integer maxLength;
    private final Integer maxCompletionLength;
    private final boolean lastStepOnly;

    /**
     * @param maxLength           null: no limit
     * @param maxCompletionLength null: no limit
     * @param lastStepOnly        train_on_last_step_only, for training data (false for evaluation data)
     */
    public PRMEncoder(HfTokenizer tokenizer, String stepSeparator, Integer maxLength, Integer maxCompletionLength,
            boolean lastStepOnly) {
        this.tokenizer = tokenizer;
        this.separatorIds = tokenizer.encode(stepSeparator, false);
        if (separatorIds.length == 0) {
            throw new IllegalArgumentException("step_separator " + quoted(stepSeparator) + " encodes to no token");
        }
        String bos = tokenizer.specialTokens().bos();
        this.bosId = bos == null ? -1 : tokenizer.addedTokenId(bos);
        this.maxLength = maxLength;
        this.maxCompletionLength = maxCompletionLength;
        this.lastStepOnly = lastStepOnly;
    }

    /** The separator's token ids (where {@link io.rlhf4j.nn.reward.StepBoundaries} finds step ends). */
    public long[] separatorIds() {
        return separatorIds.clone();
    }

    @Override
    public PRMExample encode(ObjectNode record, DatasetStats stats) {
        String prompt = text(record, "prompt");
        JsonNode completions = array(record, "completions");
        JsonNode labels = array(record, "labels");
        if (completions.size() != labels.size()) {
            throw new IllegalArgumentException("fields 'completions' (" + completions.size() + " steps) and 'labels' ("
                    + labels.size() + ") must have the same length");
        }
        long[] prompts = tokenizer.encode(prompt, false);
        LongList completion = new LongList();
        LongList completionLabels = new LongList();
        for (int s = 0; s < completions.size(); s++) {
            JsonNode step = completions.get(s);
            if (!step.isTextual()) {
                throw new IllegalArgumentException("completions[" + s + "] must be a string, got " + kind(step));
            }
            long label = label(labels.get(s), s);
            if (lastStepOnly && s < completions.size() - 1) {
                label = F.IGNORE_INDEX;
            }
            long[] ids = tokenizer.encode(step.asText(), false);
            completion.addAll(ids);
            completion.addAll(separatorIds);
            for (int i = 0; i < ids.length + separatorIds.length - 1; i++) {
                completionLabels.add(F.IGNORE_INDEX);
            }
            completionLabels.add(label);
        }
        int promptLength = prompts.length + (bosId >= 0 ? 1 : 0);
        int completionLength = completion.size();
        if (maxCompletionLength != null) {
            completionLength = Math.min(completionLength, maxCompletionLength);
        }
        int length = promptLength + completionLength;
        if (maxLength != null) {
            length = Math.min(length, maxLength);
        }
        if (length < promptLength + completion.size()) {
            stats.truncated();
        }
        long[] ids = new long[length];
        long[] out = new long[length];
        Arrays.fill(out, F.IGNORE_INDEX);
        int at = 0;
        if (bosId >= 0 && at < length) {
            ids[at++] = bosId;
        }
        for (int i = 0; i < prompts.length && at < length; i++) {
            ids[at++] = prompts[i];
        }
        for (int i = 0; i < completionLength && at < length; i++, at++) {
            ids[at] = completion.get(i);
            out[at] = completionLabels.get(i);
        }
        // Kept even when truncation removed every label, as TRL keeps it (it adds no loss).
        stats.kept();
        return new PRMExample(ids, out);
    }

    private static long label(JsonNode node, int step) {
        if (node.isBoolean()) {
            return node.booleanValue() ? 1 : 0;
        }
        if (node.isIntegralNumber() && (node.longValue() == 0 || node.longValue() == 1)) {
            return node.longValue();
        }
        throw new IllegalArgumentException("labels[" + step + "] must be true/false (or 1/0), got " + node);
    }

    private static String text(ObjectNode record, String field) {
        JsonNode n = record.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, got " + kind(n));
        }
        return n.asText();
    }

    private static JsonNode array(ObjectNode record, String field) {
        JsonNode n = record.get(field);
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new IllegalArgumentException("field '" + field + "' must be a non-empty list, got " + kind(n));
        }
        return n;
    }

    private static String kind(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    /** A growable long array. */
    private static final class LongList {
        private long[] values = new long[64];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void addAll(long[] vs) {
            for (long v : vs) {
                add(v);
            }
        }

        long get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }
}
