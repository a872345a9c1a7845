package io.rlhf4j.trainers.data;

import java.util.Arrays;

/**
 * One tokenized unpaired example: prompt + completion token ids, {@code promptLength} (the prompt's
 * token count from a prompt-only pass: tokens from that index on are the completion, the only ones
 * KTO scores) and the binary label, true for a desirable completion.
 */
public record KTOExample(long[] ids, int promptLength, boolean desirable) {

    public KTOExample {
        if (promptLength < 0) {
            throw new IllegalArgumentException("promptLength must be >= 0, got " + promptLength);
        }
        if (ids.length - Math.max(1, promptLength) < 1) {
            throw new IllegalArgumentException("a KTO sequence of " + ids.length + " tokens with a prompt of "
                    + promptLength + " has no completion token to score");
        }
    }

    /** The prompt's tokens. */
    public long[] promptIds() {
        return Arrays.copyOf(ids, promptLength);
    }

    /** The completion's tokens. */
    public long[] completionIds() {
        return Arrays.copyOfRange(ids, promptLength, ids.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KTOExample e && promptLength == e.promptLength && desirable == e.desirable
                && Arrays.equals(ids, e.ids);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + promptLength) + Boolean.hashCode(desirable);
    }

    @Override
    public String toString() {
        return "KTOExample[ids=" + Arrays.toString(ids) + ", promptLength=" + promptLength + ", desirable="
                + desirable + "]";
    }
}
