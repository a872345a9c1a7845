package io.rlhf4j.trainers.data;

import java.util.Arrays;
import java.util.Map;

/**
 * One prompt-only record for GRPO: the prompt as text (chat prompts rendered with the chat template
 * and its generation prompt), its token ids after max_prompt_length truncation, and the record's
 * other string columns (such as a reference {@code answer}), which reward functions receive as TRL
 * passes dataset columns to its reward functions.
 */
public record GRPOExample(String prompt, long[] promptIds, Map<String, String> columns) {

    public GRPOExample {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("a GRPO prompt needs at least one token");
        }
        columns = Map.copyOf(columns);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GRPOExample e && prompt.equals(e.prompt) && Arrays.equals(promptIds, e.promptIds)
                && columns.equals(e.columns);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * prompt.hashCode() + Arrays.hashCode(promptIds)) + columns.hashCode();
    }

    @Override
    public String toString() {
        return "GRPOExample[prompt=" + prompt + ", promptIds=" + Arrays.toString(promptIds) + ", columns=" + columns
                + "]";
    }
}
