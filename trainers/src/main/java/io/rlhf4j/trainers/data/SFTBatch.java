package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.Tensor;

/**
 * A padded batch: input_ids, attention_mask (1 token, 0 padding) and labels, each I64 [B, T],
 * with the counts the loop needs: {@code lossTokens} (labels that enter the shifted loss, HF's
 * num_items_in_batch contribution) and {@code tokens} (real, unpadded tokens, for throughput).
 */
public record SFTBatch(Tensor inputIds, Tensor attentionMask, Tensor labels, long lossTokens, long tokens) {

    public int batchSize() {
        return inputIds.shape(0);
    }

    public int sequenceLength() {
        return inputIds.shape(1);
    }
}
