package io.rlhf4j.nn.models;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.ModuleList;
import io.rlhf4j.nn.layers.AttentionContext;
import io.rlhf4j.nn.layers.Dropout;
import io.rlhf4j.nn.layers.Embedding;
import io.rlhf4j.nn.layers.Gpt2Block;
import io.rlhf4j.nn.layers.LayerNorm;
import java.util.ArrayList;
import java.util.List;

/** The GPT-2 base model (HF GPT2Model): token and learned position embeddings, blocks h, ln_f. */
public final class Gpt2Model extends Module {

    /** Seeds the dropout masks; each dropout derives its own from it and its place. */
    private static final long DROPOUT_SEED = 0x6A09E667F3BCC908L;

    private final Embedding wte;
    private final Embedding wpe;
    private final Dropout drop;
    private final ModuleList<Gpt2Block> blocks;
    private final LayerNorm lnF;

    public Gpt2Model(ModelConfig c, DType dtype) {
        wte = registerModule("wte", new Embedding(c.vocabSize(), c.hiddenSize(), dtype));
        wpe = registerModule("wpe", new Embedding(c.maxPositionEmbeddings(), c.hiddenSize(), dtype));
        drop = registerModule("drop", new Dropout(c.embdDropout(), DROPOUT_SEED));
        List<Gpt2Block> list = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            list.add(new Gpt2Block(c.hiddenSize(), c.numHeads(), c.intermediateSize(), c.normEps(), c.residDropout(),
                    i, DROPOUT_SEED + 2L * (i + 1), dtype));
        }
        blocks = registerModule("h", new ModuleList<>(list));
        lnF = registerModule("ln_f", new LayerNorm(c.hiddenSize(), c.normEps(), dtype));
    }

    /** Final hidden states [B, T, hidden]. */
    public Tensor forward(Tensor inputIds, Tensor positionIds, Tensor attentionMask, KvCache cache) {
        AttentionContext ctx = new AttentionContext(null, attentionMask, cache);
        Tensor h = drop.forward(wte.forward(inputIds).add(wpe.forward(positionIds)));
        for (Gpt2Block block : blocks) {
            h = block.forward(h, ctx);
        }
        return lnF.forward(h);
    }

    public Embedding wte() {
        return wte;
    }
}
