package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the data loader stands: the epoch, how many examples of that epoch's order were consumed,
 * and the seed the shuffled order derives from. Saved in every checkpoint so a resumed run reads
 * exactly the examples the interrupted one would have read next.
 */
public record DataPosition(@JsonProperty("epoch") int epoch, @JsonProperty("index_in_epoch") long indexInEpoch,
        @JsonProperty("shuffle_seed") long shuffleSeed) {

    public DataPosition {
        if (epoch < 0 || indexInEpoch < 0) {
            throw new IllegalArgumentException("data position needs epoch >= 0 and index_in_epoch >= 0, got epoch "
                    + epoch + ", index " + indexInEpoch);
        }
    }
}
