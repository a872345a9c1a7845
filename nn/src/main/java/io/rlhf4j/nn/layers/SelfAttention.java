package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/**
 * Llama-family causal self-attention with rotary embeddings and grouped-query heads, as HF's
 * LlamaAttention: q/k/v/o projections (q/k/v bias for Qwen2), for Qwen3 an RMSNorm over each
 * head's dimension of q and k applied before RoPE, then scaled dot-product attention with scale
 * 1/√headDim, the causal mask and the padding mask.
 */
public final class SelfAttention extends Module {

    /** Head geometry and options. qkNormEps is NaN when there are no q/k norms. */
    public record Spec(int hidden, int heads, int kvHeads, int headDim, boolean qkvBias, boolean outputBias,
            double qkNormEps) {
        public Spec {
            if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("num_attention_heads (" + heads
                        + ") must be a positive multiple of num_key_value_heads (" + kvHeads + ")");
            }
        }
    }

    private final Spec spec;
    private final int layerIndex;
    private final RmsNorm qNorm;
    private final RmsNorm kNorm;

    public SelfAttention(Spec spec, int layerIndex, DType dtype) {
        this.spec = spec;
        this.layerIndex = layerIndex;
        int qDim = spec.heads() * spec.headDim();
        int kvDim = spec.kvHeads() * spec.headDim();
        registerModule("q_proj", new Linear(spec.hidden(), qDim, spec.qkvBias(), dtype));
        registerModule("k_proj", new Linear(spec.hidden(), kvDim, spec.qkvBias(), dtype));
        registerModule("v_proj", new Linear(spec.hidden(), kvDim, spec.qkvBias(), dtype));
        registerModule("o_proj", new Linear(qDim, spec.hidden(), spec.outputBias(), dtype));
        boolean norms = !Double.isNaN(spec.qkNormEps());
        qNorm = norms ? registerModule("q_norm", new RmsNorm(spec.headDim(), spec.qkNormEps(), dtype)) : null;
        kNorm = norms ? registerModule("k_norm", new RmsNorm(spec.headDim(), spec.qkNormEps(), dtype)) : null;
    }

    /** x [B, T, hidden] → [B, T, hidden]. */
    public Tensor forward(Tensor x, AttentionContext ctx) {
        int batch = x.shape(0);
        int seq = x.shape(1);
        Tensor qh = heads(child("q_proj", Projection.class).forward(x), qNorm, batch, seq, spec.heads());
        Tensor kh = heads(child("k_proj", Projection.class).forward(x), kNorm, batch, seq, spec.kvHeads());
        Tensor vh = heads(child("v_proj", Projection.class).forward(x), null, batch, seq, spec.kvHeads());
        qh = F.rotaryEmbedding(qh, ctx.rope().cos(), ctx.rope().sin());
        kh = F.rotaryEmbedding(kh, ctx.rope().cos(), ctx.rope().sin());
        Tensor attn = ctx.cache() != null ? ctx.cache().attend(layerIndex, qh, kh, vh, ctx.keyMask())
                : F.scaledDotProductAttention(qh, kh, vh, ctx.keyMask(), true);
        Tensor merged = attn.transpose(1, 2).reshape(batch, seq, spec.heads() * spec.headDim());
        return child("o_proj", Projection.class).forward(merged);
    }

    /** [B, T, H·D] → [B, H, T, D], with the per-head norm (Qwen3) applied over D first. */
    private Tensor heads(Tensor projected, RmsNorm norm, int batch, int seq, int count) {
        Tensor h = projected.view(batch, seq, count, spec.headDim());
        if (norm != null) {
            h = norm.forward(h);
        }
        return h.transpose(1, 2);
    }

    public Spec spec() {
        return spec;
    }
}
