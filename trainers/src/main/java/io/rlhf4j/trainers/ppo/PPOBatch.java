package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.Tensor;

/**
 * A micro-batch of a rollout as tensors: {@code inputIds} [B, P + C] (left-padded queries, then
 * responses right-padded with pad, TRL's query_responses), {@code attentionMask} = ids ≠ pad (as
 * TRL's forward), {@code responseIds} [B, C], and the rollout's per-token arrays [B, C] in F32.
 */
record PPOBatch(Tensor inputIds, Tensor attentionMask, Tensor responseIds, Tensor oldLogp, Tensor advantages,
        Tensor returns, Tensor oldValues, Tensor responseMask, Tensor valueMask, int queryWidth, int responseWidth,
        long tokens) {
}
