package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.F;
import java.util.Arrays;

/**
 * One tokenized SFT sequence: the token ids and, position by position, the label to predict
 * there ({@code -100} where no loss is taken: masked prompt tokens, non-assistant turns). Labels
 * are unshifted, as in transformers: the loss compares the logits at position t with
 * {@code labels[t + 1]}.
 */
public record SFTExample(long[] inputIds, long[] labels) {

    public SFTExample {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("an SFT example needs at least one token");
        }
        if (labels.length != inputIds.length) {
            throw new IllegalArgumentException("labels (" + labels.length + ") and input ids (" + inputIds.length
                    + ") must have the same length");
        }
    }

    /** An example trained on every token (plain language modelling). */
    public static SFTExample allTokens(long... ids) {
        return new SFTExample(ids, ids.clone());
    }

    public int length() {
        return inputIds.length;
    }

    /**
     * Labels that take part in the loss after the shift: positions 1 … n−1 whose label is not
     * {@code -100} (the label at position 0 is never predicted).
     */
    public long lossTokens() {
        long n = 0;
        for (int t = 1; t < labels.length; t++) {
            if (labels[t] != F.IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SFTExample e && Arrays.equals(inputIds, e.inputIds) && Arrays.equals(labels, e.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "SFTExample[inputIds=" + Arrays.toString(inputIds) + ", labels=" + Arrays.toString(labels) + "]";
    }
}
