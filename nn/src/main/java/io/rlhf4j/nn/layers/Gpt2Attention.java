package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/**
 * GPT-2's causal self-attention: one fused c_attn Conv1D producing q, k and v (in that order
 * along the last dimension), no rotary embedding, scale 1/√headDim, output projection c_proj
 * followed by residual dropout. attn_pdrop (dropout on attention probabilities) is not applied:
 * the fused attention kernel never materialises the probabilities.
 */
public final class Gpt2Attention extends Module {

    private final int heads;
    private final int hidden;
    private final int layerIndex;
    private final Dropout residDropout;

    public Gpt2Attention(int hidden, int heads, int layerIndex, double residDropout, long seed, DType dtype) {
        if (heads <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("n_embd (" + hidden + ") must be divisible by n_head (" + heads + ")");
        }
        this.heads = heads;
        this.hidden = hidden;
        this.layerIndex = layerIndex;
        registerModule("c_attn", new Conv1D(hidden, 3 * hidden, dtype));
        registerModule("c_proj", new Conv1D(hidden, hidden, dtype));
        this.residDropout = registerModule("resid_dropout", new Dropout(residDropout, seed));
    }

    /** x [B, T, hidden] → [B, T, hidden]; ctx.rope() is ignored (GPT-2 has learned positions). */
    public Tensor forward(Tensor x, AttentionContext ctx) {
        int batch = x.shape(0);
        int seq = x.shape(1);
        Tensor fused = child("c_attn", Projection.class).forward(x);
        int headDim = hidden / heads;
        Tensor q = fused.narrow(-1, 0, hidden).reshape(batch, seq, heads, headDim).transpose(1, 2);
        Tensor k = fused.narrow(-1, hidden, hidden).reshape(batch, seq, heads, headDim).transpose(1, 2);
        Tensor v = fused.narrow(-1, 2 * hidden, hidden).reshape(batch, seq, heads, headDim).transpose(1, 2);
        Tensor attn = ctx.cache() != null ? ctx.cache().attend(layerIndex, q, k, v, ctx.keyMask())
                : F.scaledDotProductAttention(q, k, v, ctx.keyMask(), true);
        Tensor merged = attn.transpose(1, 2).reshape(batch, seq, hidden);
        return residDropout.forward(child("c_proj", Projection.class).forward(merged));
    }
}
