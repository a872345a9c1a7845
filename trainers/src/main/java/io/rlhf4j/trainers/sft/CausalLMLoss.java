package io.rlhf4j.trainers.sft;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.ops.fused.Reduction;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.trainers.data.SFTBatch;

/**
 * The next-token loss transformers' ForCausalLMLoss computes (loss_utils.py): labels shifted left
 * by one (position t is scored on labels[t + 1], the last position on −100), cross-entropy summed
 * over labels other than −100, divided by {@code numItems} (num_items_in_batch), or the mean when
 * that is absent.
 */
public final class CausalLMLoss {

    private CausalLMLoss() {
    }

    /** Sum of the batch's token cross-entropies (F32 scalar, differentiable). */
    public static Tensor sum(CausalLM model, SFTBatch batch) {
        Tensor logits = model.forward(batch.inputIds(), batch.attentionMask(), null);
        int rows = batch.batchSize() * batch.sequenceLength();
        int vocab = logits.shape(2);
        return F.crossEntropy(logits.reshape(rows, vocab), shiftedLabels(batch.labels()), F.IGNORE_INDEX,
                Reduction.SUM, 0);
    }

    /** labels [B, T] → [B·T]: row b holds labels[b, 1:] followed by −100. */
    public static Tensor shiftedLabels(Tensor labels) {
        int b = labels.shape(0);
        int t = labels.shape(1);
        long[] in = labels.toLongArray();
        long[] out = new long[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(in, r * t + 1, out, r * t, t - 1);
            out[r * t + t - 1] = F.IGNORE_INDEX;
        }
        return Tensor.ofLongs(out, b * t);
    }
}
