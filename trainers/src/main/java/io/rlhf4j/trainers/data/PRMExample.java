package io.rlhf4j.trainers.data;

/**
 * One tokenized stepwise record, as TRL's PRMTrainer.tokenize_row returns it: the ids (BOS,
 * prompt, then each step followed by the separator) and, unshifted, the step label (0 bad, 1
 * good) at the last separator token of each step, {@code -100} everywhere else.
 */
public record PRMExample(long[] inputIds, long[] labels) {

    public PRMExample {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("a PRM example needs at least one token");
        }
        if (labels.length != inputIds.length) {
            throw new IllegalArgumentException("labels (" + labels.length + ") and input ids (" + inputIds.length
                    + ") must have the same length");
        }
    }

    /** The same ids and labels as an {@link SFTExample}, for {@link Collator}'s right padding. */
    public SFTExample padded() {
        return new SFTExample(inputIds, labels);
    }
}
