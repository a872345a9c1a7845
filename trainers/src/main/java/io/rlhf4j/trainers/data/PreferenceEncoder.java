package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns one {@code {prompt, chosen, rejected}} record into a {@link PreferenceExample}, as the
 * specification's PreferenceDataset: prompt + chosen and prompt + rejected are tokenized
 * independently and prompt_length comes from a prompt-only pass.
 * <ul>
 *   <li>Plain text: the EOS token text is appended to each response unless it already ends with
 *       it (TRL appends EOS to completions); texts are tokenized with the tokenizer's special
 *       tokens (BOS where its post-processor adds one), as SFT's {prompt, response} records.</li>
 *   <li>Conversational (TRL's format): prompt is a list of messages, chosen and rejected lists of
 *       the messages that follow (usually one assistant turn). prompt_length is the token count of
 *       the prompt rendered with the generation prompt; each sequence is prompt + response
 *       rendered without it; rendered text is tokenized without special tokens (the template
 *       writes them), as {@link ChatLabels} does.</li>
 * </ul>
 * Truncation is TRL 0.x's DPO rule (dpo_trainer.py tokenize_row, before 1.0), in token space: when
 * prompt + the longer response exceeds max_length, the prompt is cut to max_prompt_length
 * (keep_start keeps its first tokens, keep_end its last); if that is still too long, both
 * responses are cut to their first max_length − max_prompt_length tokens.
 */
public final class PreferenceEncoder implements RecordEncoder<PreferenceExample> {

    private final HfTokenizer tokenizer;
    private final String eos;
    private final Integer maxLength;
    private final Integer maxPromptLength;
    private final boolean keepEnd;

    /**
     * @param maxLength       longest prompt + response, or null for no limit
     * @param maxPromptLength the prompt's length when the pair must be truncated, or null
     * @param truncationMode  keep_start or keep_end (which prompt tokens survive)
     */
    public PreferenceEncoder(HfTokenizer tokenizer, Integer maxLength, Integer maxPromptLength, String truncationMode) {
        this.tokenizer = tokenizer;
        this.eos = tokenizer.specialTokens().eos();
        this.maxLength = maxLength;
        this.maxPromptLength = maxPromptLength;
        this.keepEnd = "keep_end".equals(truncationMode);
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public PreferenceExample encode(ObjectNode record, DatasetStats stats) {
        for (String field : List.of("prompt", "chosen", "rejected")) {
            if (!record.has(field)) {
                throw new IllegalArgumentException("a preference record needs {prompt, chosen, rejected}: missing field '"
                        + field + "' (fields: " + SFTEncoder.fieldNames(record) + ")");
            }
        }
        Tokenized t = record.get("prompt").isArray() ? conversational(record) : plain(record);
        return truncate(t, stats);
    }

    /** Untruncated tokens: the prompt-only pass and the two full sequences. */
    private record Tokenized(long[] prompt, long[] chosen, long[] rejected) {
    }

    private Tokenized plain(ObjectNode record) {
        String prompt = SFTEncoder.text(record, "prompt");
        return new Tokenized(tokenizer.encode(prompt, true),
                tokenizer.encode(prompt + withEos(SFTEncoder.text(record, "chosen")), true),
                tokenizer.encode(prompt + withEos(SFTEncoder.text(record, "rejected")), true));
    }

    private Tokenized conversational(ObjectNode record) {
        List<Map<String, Object>> prompt = SFTEncoder.messages(record.get("prompt"));
        return new Tokenized(render(prompt, true), render(concat(prompt, responseMessages(record, "chosen")), false),
                render(concat(prompt, responseMessages(record, "rejected")), false));
    }

    private static List<Map<String, Object>> responseMessages(ObjectNode record, String field) {
        JsonNode node = record.get(field);
        if (!node.isArray()) {
            throw new IllegalArgumentException("field '" + field + "' must be a list of messages when 'prompt' is one, got "
                    + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return SFTEncoder.messages(node);
    }

    private static List<Map<String, Object>> concat(List<Map<String, Object>> a, List<Map<String, Object>> b) {
        List<Map<String, Object>> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private long[] render(List<Map<String, Object>> messages, boolean generationPrompt) {
        return tokenizer.encode(tokenizer.applyChatTemplate(messages, generationPrompt, Map.of()), false);
    }

    private PreferenceExample truncate(Tokenized t, DatasetStats stats) {
        int n = t.prompt().length;
        long[] chosen = t.chosen();
        long[] rejected = t.rejected();
        int longer = Math.max(chosen.length, rejected.length) - n;
        if (maxLength == null || n + longer <= maxLength) {
            return keep(chosen, rejected, n, stats);
        }
        stats.truncated();
        int promptKept = n;
        int promptFrom = 0;
        if (maxPromptLength != null && n > maxPromptLength) {
            promptKept = maxPromptLength;
            promptFrom = keepEnd ? n - maxPromptLength : 0;
        }
        int responseRoom = promptKept + longer <= maxLength ? longer
                : maxLength - (maxPromptLength != null ? maxPromptLength : promptKept);
        return keep(cut(chosen, n, promptFrom, promptKept, responseRoom),
                cut(rejected, n, promptFrom, promptKept, responseRoom), promptKept, stats);
    }

    /** The example, or null (counted as dropped) when a side has no response token to score. */
    private static PreferenceExample keep(long[] chosen, long[] rejected, int promptLength, DatasetStats stats) {
        if (Math.min(chosen.length, rejected.length) <= Math.max(promptLength, 1)) {
            stats.droppedNoLoss();
            return null;
        }
        stats.kept();
        return new PreferenceExample(chosen, rejected, promptLength);
    }

    /** ids[promptFrom, promptFrom + promptKept) followed by at most {@code responseRoom} response tokens. */
    private static long[] cut(long[] ids, int promptLength, int promptFrom, int promptKept, int responseRoom) {
        int response = Math.max(0, Math.min(ids.length - promptLength, responseRoom));
        long[] out = Arrays.copyOfRange(ids, promptFrom, promptFrom + promptKept + response);
        System.arraycopy(ids, promptLength, out, promptKept, response);
        return out;
    }

    private String withEos(String text) {
        return eos == null || text.endsWith(eos) ? text : text + eos;
    }
}
