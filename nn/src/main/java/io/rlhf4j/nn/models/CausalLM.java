package io.rlhf4j.nn.models;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;

/** A decoder-only language model: token ids in, next-token logits out (HF *ForCausalLM). */
public interface CausalLM extends TrainableModel {

    /**
     * Logits [B, T, V] (F32) for {@code inputIds} [B, T] (I64 or I32).
     *
     * @param attentionMask [B, T], 1 for tokens and 0 for (left) padding, or null for no padding
     * @param positionIds   [B, T] or [1, T], or null: derived from the mask as HF generate does,
     *                      {@code cumsum(mask) − 1} with pads set to 1 (0 … T−1 without a mask)
     */
    default Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds) {
        return forward(inputIds, attentionMask, positionIds, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor)}, continuing from the positions held in
     * {@code cache} (null for a full forward): inputIds are only the new tokens, the attention
     * mask covers cached and new positions [B, cache.length() + T], and the cache is advanced by T.
     */
    Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache);

    /**
     * As {@link #forward(Tensor, Tensor, Tensor, KvCache)}, but logits [B, V] of the last
     * position only: the LM head (a V × hidden product per position) runs once per row, which is
     * what generation needs. With left padding the last position is every row's latest token.
     */
    Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache);

    /** An empty contiguous cache for {@code batch} rows and up to {@code capacity} positions. */
    KvCache newKvCache(int batch, int capacity);
}
