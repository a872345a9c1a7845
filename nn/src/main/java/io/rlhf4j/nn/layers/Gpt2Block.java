package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;

/** A GPT-2 pre-norm block (HF GPT2Block): h = x + attn(ln_1(x)); out = h + mlp(ln_2(h)). */
public final class Gpt2Block extends Module {

    private final LayerNorm ln1;
    private final Gpt2Attention attention;
    private final LayerNorm ln2;
    private final Gpt2Mlp mlp;

    public Gpt2Block(int hidden, int heads, int inner, double eps, double residDropout, int layerIndex, long seed,
            DType dtype) {
        ln1 = registerModule("ln_1", new LayerNorm(hidden, eps, dtype));
        attention = registerModule("attn", new Gpt2Attention(hidden, heads, layerIndex, residDropout, seed, dtype));
        ln2 = registerModule("ln_2", new LayerNorm(hidden, eps, dtype));
        mlp = registerModule("mlp", new Gpt2Mlp(hidden, inner, residDropout, seed + 1, dtype));
    }

    public Tensor forward(Tensor x, AttentionContext ctx) {
        Tensor h = x.add(attention.forward(ln1.forward(x), ctx));
        return h.add(mlp.forward(ln2.forward(h)));
    }
}
