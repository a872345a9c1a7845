package io.rlhf4j.nn.policy;

import io.rlhf4j.engine.Tensor;

/**
 * Per-token log-probabilities of response tokens, TRL's convention: for ids [B, T], entry
 * [b, t] (t = 0 … T − 2) is log p(ids[b, t + 1] | ids[b, ≤ t]), read from the logits at position
 * t. Entries outside the response (prompt, padding) are 0.
 *
 * @param tokens [B, T − 1] F32, masked (differentiable when computed with grad)
 * @param mask   [B, T − 1] F32, 1 where entry [b, t] scores a response token
 */
public record LogProbs(Tensor tokens, Tensor mask) {

    /** Σ over each row's response tokens, [B] (a sequence's log-likelihood, as DPO uses). */
    public Tensor sum() {
        return tokens.sum(1, false);
    }

    /** The mean over each row's response tokens, [B] (SimPO's length-normalised reward). */
    public Tensor mean() {
        return sum().div(mask.sum(1, false));
    }
}
