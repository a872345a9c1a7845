package io.rlhf4j.trainers.grpo;

import io.rlhf4j.engine.Tensor;
import java.util.List;

/**
 * A micro-batch of rollouts as tensors: left-padded prompts of width P followed by right-padded
 * completions of width C (TRL's prompt_completion_ids layout).
 *
 * @param inputIds       [B, P + C] I64
 * @param attentionMask  [B, P + C] I64: prompt mask, then the completion mask
 * @param completionMask [B, C] F64, 1 on the completion tokens in the loss
 * @param oldLogp        [B, C] F64 or null
 * @param refLogp        [B, C] F64 or null
 * @param advantages     [B] F64
 * @param microBatches   how many micro-batches the window has (transformers' current_gradient_accumulation_steps)
 */
record RolloutBatch(Tensor inputIds, Tensor attentionMask, Tensor completionMask, Tensor oldLogp, Tensor refLogp,
        Tensor advantages, int promptWidth, int completionWidth, long lossTokens, long tokens, int microBatches) {

    static RolloutBatch of(List<Rollout> rows, long padId, int microBatches) {
        int b = rows.size();
        int p = 0;
        int c = 1;
        for (Rollout r : rows) {
            p = Math.max(p, r.promptIds().length);
            c = Math.max(c, r.completionIds().length);
        }
        int w = p + c;
        long[] ids = new long[b * w];
        long[] attention = new long[b * w];
        double[] mask = new double[b * c];
        boolean hasOld = rows.getFirst().oldLogp() != null;
        boolean hasRef = rows.getFirst().refLogp() != null;
        double[] old = hasOld ? new double[b * c] : null;
        double[] ref = hasRef ? new double[b * c] : null;
        double[] adv = new double[b];
        long lossTokens = 0;
        long tokens = 0;
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            Rollout r = rows.get(i);
            long[] prompt = r.promptIds();
            int pads = p - prompt.length;
            for (int t = 0; t < prompt.length; t++) {
                ids[i * w + pads + t] = prompt[t];
                attention[i * w + pads + t] = 1;
            }
            long[] completion = r.completionIds();
            for (int t = 0; t < completion.length; t++) {
                ids[i * w + p + t] = completion[t];
                attention[i * w + p + t] = r.lossMask() ? 1 : 0;
                mask[i * c + t] = r.lossMask() ? 1 : 0;
                if (hasOld) {
                    old[i * c + t] = r.oldLogp()[t];
                }
                if (hasRef) {
                    ref[i * c + t] = r.refLogp()[t];
                }
            }
            adv[i] = r.advantage();
            lossTokens += r.lossMask() ? completion.length : 0;
            tokens += prompt.length + completion.length;
        }
        return new RolloutBatch(Tensor.ofLongs(ids, b, w), Tensor.ofLongs(attention, b, w), Tensor.of(mask, b, c),
                hasOld ? Tensor.of(old, b, c) : null, hasRef ? Tensor.of(ref, b, c) : null, Tensor.of(adv, b), p, c,
                lossTokens, tokens, microBatches);
    }
}
