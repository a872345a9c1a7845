package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import java.util.List;

/**
 * Right-pads SFT examples into one {@link SFTBatch}: to the longest example of the batch, or to
 * a fixed length when one is given (TRL's DataCollatorForLanguageModeling pads to the longest).
 * Padding positions get the pad id, attention mask 0 and label {@code -100}. Right padding is
 * safe under causal attention: a real token never attends to a later (padding) position.
 */
public final class Collator {

    private final long padId;
    private final int padTo;

    /** Pads to the longest example of each batch. */
    public Collator(long padId) {
        this(padId, 0);
    }

    /** @param padTo a fixed length every batch is padded to, or 0 for the longest example */
    public Collator(long padId, int padTo) {
        if (padId < 0) {
            throw new IllegalArgumentException("pad id must be >= 0, got " + padId);
        }
        if (padTo < 0) {
            throw new IllegalArgumentException("padTo must be >= 0 (0: pad to the longest), got " + padTo);
        }
        this.padId = padId;
        this.padTo = padTo;
    }

    public SFTBatch collate(List<SFTExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch");
        }
        int longest = examples.stream().mapToInt(SFTExample::length).max().orElseThrow();
        if (padTo > 0 && longest > padTo) {
            throw new IllegalArgumentException("an example of " + longest + " tokens is longer than the padding length "
                    + padTo + "; truncate to max_length first");
        }
        int t = padTo > 0 ? padTo : longest;
        int b = examples.size();
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] labels = new long[b * t];
        long lossTokens = 0;
        long tokens = 0;
        for (int r = 0; r < b; r++) {
            SFTExample e = examples.get(r);
            int n = e.length();
            for (int c = 0; c < t; c++) {
                int i = r * t + c;
                boolean real = c < n;
                ids[i] = real ? e.inputIds()[c] : padId;
                mask[i] = real ? 1 : 0;
                labels[i] = real ? e.labels()[c] : F.IGNORE_INDEX;
            }
            lossTokens += e.lossTokens();
            tokens += n;
        }
        return new SFTBatch(Tensor.ofLongs(ids, b, t), Tensor.ofLongs(mask, b, t), Tensor.ofLongs(labels, b, t),
                lossTokens, tokens);
    }
}
