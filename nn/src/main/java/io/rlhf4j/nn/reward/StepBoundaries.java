package io.rlhf4j.nn.reward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Boundary detection for process supervision: where each step of a tokenized solution ends. As in
 * TRL's PRMTrainer, every step is followed by the step separator's token ids, and a step is scored
 * at the separator's last token; so the boundaries are the positions where the separator's ids end.
 * The ids must be built the way TRL builds them (each step tokenized alone, then the separator's
 * ids): tokenizing the whole text at once can merge a separator into its neighbours.
 */
public final class StepBoundaries {

    private StepBoundaries() {
    }

    /**
     * Positions p (ascending) among the first {@code length} ids of {@code row} where
     * {@code row[p − k + 1 … p]} equals {@code separatorIds} (k its length), non-overlapping.
     */
    public static int[] find(long[] row, int length, long[] separatorIds) {
        if (separatorIds == null || separatorIds.length == 0) {
            throw new IllegalArgumentException("separator ids must not be empty, got " + Arrays.toString(separatorIds));
        }
        if (length < 0 || length > row.length) {
            throw new IllegalArgumentException("length " + length + " outside the row of " + row.length + " ids");
        }
        int k = separatorIds.length;
        List<Integer> out = new ArrayList<>();
        int p = k - 1;
        while (p < length) {
            if (Arrays.equals(row, p - k + 1, p + 1, separatorIds, 0, k)) {
                out.add(p);
                p += k;
            } else {
                p++;
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
