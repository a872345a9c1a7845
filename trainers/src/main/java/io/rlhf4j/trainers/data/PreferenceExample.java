package io.rlhf4j.trainers.data;

import java.util.Arrays;

/**
 * One tokenized preference pair: prompt + chosen and prompt + rejected token ids, and
 * {@code promptLength}, the prompt's token count from a prompt-only pass: tokens from that index
 * on are the response, the only ones the DPO and SimPO losses score.
 */
public record PreferenceExample(long[] chosenIds, long[] rejectedIds, int promptLength) {

    public PreferenceExample {
        if (promptLength < 0) {
            throw new IllegalArgumentException("promptLength must be >= 0, got " + promptLength);
        }
        for (long[] ids : new long[][] {chosenIds, rejectedIds}) {
            if (responseTokens(ids, promptLength) < 1) {
                throw new IllegalArgumentException("a preference sequence of " + ids.length
                        + " tokens with a prompt of " + promptLength + " has no response token to score");
            }
        }
    }

    /** Response tokens of chosen that get a log-prob (token 0 never does: nothing predicts it). */
    public int chosenTokens() {
        return responseTokens(chosenIds, promptLength);
    }

    public int rejectedTokens() {
        return responseTokens(rejectedIds, promptLength);
    }

    private static int responseTokens(long[] ids, int promptLength) {
        return ids.length - Math.max(1, promptLength);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreferenceExample e && promptLength == e.promptLength
                && Arrays.equals(chosenIds, e.chosenIds) && Arrays.equals(rejectedIds, e.rejectedIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(chosenIds) + Arrays.hashCode(rejectedIds)) + promptLength;
    }

    @Override
    public String toString() {
        return "PreferenceExample[chosenIds=" + Arrays.toString(chosenIds) + ", rejectedIds="
                + Arrays.toString(rejectedIds) + ", promptLength=" + promptLength + "]";
    }
}
