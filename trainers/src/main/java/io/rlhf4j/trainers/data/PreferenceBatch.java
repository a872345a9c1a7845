package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * B preference pairs as one right-padded batch of 2B rows, chosen sequences first, then rejected
 * ones in the same order (TRL's concatenated_forward layout), so policy and reference each take
 * one forward pass per micro-batch.
 *
 * @param inputIds      I64 [2B, T]
 * @param attentionMask I64 [2B, T], 1 token, 0 padding
 * @param promptLengths per row, the index of its first response token
 * @param tokens        real (unpadded) tokens, for throughput
 */
public record PreferenceBatch(Tensor inputIds, Tensor attentionMask, int[] promptLengths, long tokens) {

    /** Pads {@code pairs} with {@code collator} (to the longest of all 2B sequences). */
    public static PreferenceBatch collate(List<PreferenceExample> pairs, Collator collator) {
        List<SFTExample> rows = new ArrayList<>(2 * pairs.size());
        int[] promptLengths = new int[2 * pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            PreferenceExample p = pairs.get(i);
            rows.add(SFTExample.allTokens(p.chosenIds()));
            promptLengths[i] = p.promptLength();
            promptLengths[pairs.size() + i] = p.promptLength();
        }
        for (PreferenceExample p : pairs) {
            rows.add(SFTExample.allTokens(p.rejectedIds()));
        }
        SFTBatch b = collator.collate(rows);
        return new PreferenceBatch(b.inputIds(), b.attentionMask(), promptLengths, b.tokens());
    }

    /** B, the number of pairs. */
    public int pairs() {
        return inputIds.shape(0) / 2;
    }
}
