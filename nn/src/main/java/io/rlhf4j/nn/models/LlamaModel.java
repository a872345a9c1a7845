package io.rlhf4j.nn.models;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.ModuleList;
import io.rlhf4j.nn.layers.AttentionContext;
import io.rlhf4j.nn.layers.DecoderLayer;
import io.rlhf4j.nn.layers.Embedding;
import io.rlhf4j.nn.layers.RmsNorm;
import io.rlhf4j.nn.layers.SelfAttention;
import java.util.ArrayList;
import java.util.List;

/** The Llama-family base model (HF LlamaModel): embed_tokens, decoder layers, final norm. */
public final class LlamaModel extends Module {

    private final ModelConfig config;
    private final Embedding embedTokens;
    private final ModuleList<DecoderLayer> layers;
    private final RmsNorm norm;

    public LlamaModel(ModelConfig c, DType dtype) {
        this.config = c;
        embedTokens = registerModule("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize(), dtype));
        SelfAttention.Spec spec = new SelfAttention.Spec(c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
                c.attentionBias(), !c.modelType().equals("qwen2") && c.attentionBias(),
                c.hasQkNorm() ? c.normEps() : Double.NaN);
        List<DecoderLayer> list = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            list.add(new DecoderLayer(spec, c.intermediateSize(), c.mlpBias(), c.normEps(), i, dtype));
        }
        layers = registerModule("layers", new ModuleList<>(list));
        norm = registerModule("norm", new RmsNorm(c.hiddenSize(), c.normEps(), dtype));
    }

    /** Final hidden states [B, T, hidden] for ids [B, T] at positions [B or 1, T]. */
    public Tensor forward(Tensor inputIds, Tensor positionIds, Tensor attentionMask, KvCache cache) {
        var rope = F.ropeCosSin(positionIds, config.headDim(), config.ropeTheta(), config.ropeScaling());
        AttentionContext ctx = new AttentionContext(rope, attentionMask, cache);
        Tensor h = embedTokens.forward(inputIds);
        for (DecoderLayer layer : layers) {
            h = layer.forward(h, ctx);
        }
        return norm.forward(h);
    }

    public Embedding embedTokens() {
        return embedTokens;
    }
}
