package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.ops.fused.RotaryTables;
import io.rlhf4j.nn.KvCache;

/**
 * What every attention layer of one forward pass shares.
 *
 * @param rope    cos/sin tables [B or 1, T, D] for this step's positions, or null (GPT-2)
 * @param keyMask [B, S] with S = cached + new positions, non-zero = attend, or null (no padding)
 * @param cache   past keys/values, or null for a full forward
 */
public record AttentionContext(RotaryTables.CosSin rope, Tensor keyMask, KvCache cache) {
}
