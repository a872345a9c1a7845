package io.rlhf4j.trainers.rm;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.PreferenceBatch;
import io.rlhf4j.trainers.data.PreferenceExample;
import java.util.ArrayList;
import java.util.List;

/**
 * B pairs as one right-padded batch of 2B rows, chosen sequences first, then rejected ones in the
 * same order (as {@link PreferenceBatch}), so the reward model scores both in one forward.
 *
 * @param rows   the 2B rows
 * @param margin [B] F32, each pair's margin (0 for a record without one), or null when no pair has one
 */
public record RewardBatch(PreferenceBatch rows, Tensor margin) {

    public static RewardBatch collate(List<RewardPair> pairs, Collator collator) {
        List<PreferenceExample> examples = new ArrayList<>(pairs.size());
        float[] margins = new float[pairs.size()];
        boolean any = false;
        for (int i = 0; i < pairs.size(); i++) {
            RewardPair p = pairs.get(i);
            examples.add(p.pair());
            if (p.margin() != null) {
                margins[i] = p.margin().floatValue();
                any = true;
            }
        }
        return new RewardBatch(PreferenceBatch.collate(examples, collator), any ? Tensor.of(margins, margins.length)
                : null);
    }

    /** B, the number of pairs. */
    public int pairs() {
        return rows.pairs();
    }
}
