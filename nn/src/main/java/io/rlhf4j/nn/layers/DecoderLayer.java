package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/**
 * A Llama-family pre-norm decoder block (HF LlamaDecoderLayer):
 * h = x + self_attn(input_layernorm(x)); out = h + mlp(post_attention_layernorm(h)).
 */
public final class DecoderLayer extends Module {

    private final RmsNorm inputNorm;
    private final SelfAttention attention;
    private final RmsNorm postAttentionNorm;
    private final GatedMlp mlp;

    public DecoderLayer(SelfAttention.Spec attention, int intermediate, boolean mlpBias, double rmsNormEps,
            int layerIndex, DType dtype) {
        int hidden = attention.hidden();
        inputNorm = registerModule("input_layernorm", new RmsNorm(hidden, rmsNormEps, dtype));
        this.attention = registerModule("self_attn", new SelfAttention(attention, layerIndex, dtype));
        postAttentionNorm = registerModule("post_attention_layernorm", new RmsNorm(hidden, rmsNormEps, dtype));
        mlp = registerModule("mlp", new GatedMlp(hidden, intermediate, mlpBias, dtype));
    }

    public Tensor forward(Tensor x, AttentionContext ctx) {
        Tensor h = x.add(attention.forward(inputNorm.forward(x), ctx));
        return h.add(mlp.forward(postAttentionNorm.forward(h)));
    }
}
