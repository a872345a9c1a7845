package io.rlhf4j.trainers.rm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.trainers.data.DatasetStats;
import io.rlhf4j.trainers.data.PreferenceEncoder;
import io.rlhf4j.trainers.data.PreferenceExample;
import io.rlhf4j.trainers.data.RecordEncoder;
import java.util.Locale;

/**
 * A {@code {prompt, chosen, rejected}} record (plain or chat, tokenized by {@link PreferenceEncoder})
 * plus its optional numeric {@code margin} field.
 */
public final class RewardPairEncoder implements RecordEncoder<RewardPair> {

    private final PreferenceEncoder pairs;

    public RewardPairEncoder(PreferenceEncoder pairs) {
        this.pairs = pairs;
    }

    @Override
    public RewardPair encode(ObjectNode record, DatasetStats stats) {
        Double margin = null;
        JsonNode m = record.get("margin");
        if (m != null && !m.isNull()) {
            if (!m.isNumber()) {
                throw new IllegalArgumentException("field 'margin' must be a number, got "
                        + m.getNodeType().toString().toLowerCase(Locale.ROOT));
            }
            margin = m.doubleValue();
            if (!Double.isFinite(margin)) {
                throw new IllegalArgumentException("field 'margin' must be finite, got " + margin);
            }
        }
        PreferenceExample e = pairs.encode(record, stats);
        return e == null ? null : new RewardPair(e, margin);
    }
}
