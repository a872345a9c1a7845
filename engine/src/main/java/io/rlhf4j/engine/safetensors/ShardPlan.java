package io.rlhf4j.engine.safetensors;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits tensors into shards the way huggingface_hub's {@code split_state_dict_into_shards_factory}
 * does, so our checkpoints shard exactly like transformers': walk the tensors in order, start a new
 * shard when the next tensor would push the current one over the limit, and give a tensor larger
 * than the limit a shard of its own (emitted at once, ahead of the shard being filled).
 */
final class ShardPlan {

    private ShardPlan() {
    }

    static List<List<TensorBytes>> split(List<TensorBytes> tensors, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        List<List<TensorBytes>> shards = new ArrayList<>();
        List<TensorBytes> current = new ArrayList<>();
        long currentBytes = 0;
        for (TensorBytes t : tensors) {
            long bytes = t.data().byteSize();
            if (bytes > maxShardBytes) {
                shards.add(List.of(t));
                continue;
            }
            if (currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += bytes;
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }
}
