package io.rlhf4j.nn.models;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.layers.Projection;

/**
 * LlamaForCausalLM and its relatives that share its layout: Mistral, Qwen2 (q/k/v bias),
 * Qwen3 (q/k norms, explicit head_dim), SmolLM (a Llama with tied embeddings). With
 * tie_word_embeddings, lm_head reuses embed_tokens' weight and has no tensor of its own.
 */
public final class LlamaForCausalLM extends PreTrainedCausalLM {

    private final LlamaModel model;

    public LlamaForCausalLM(ModelConfig config, DType dtype) {
        super(config, dtype);
        if (!config.isLlamaFamily()) {
            throw new IllegalArgumentException("LlamaForCausalLM cannot build model_type " + config.modelType());
        }
        model = registerModule("model", new LlamaModel(config, dtype));
        registerModule("lm_head", config.tieWordEmbeddings()
                ? new Linear(model.embedTokens().weight(), null)
                : new Linear(config.hiddenSize(), config.vocabSize(), false, dtype));
    }

    @Override
    protected Tensor hiddenStates(Tensor inputIds, Tensor positionIds, Tensor attentionMask, KvCache cache) {
        return model.forward(inputIds, positionIds, attentionMask, cache);
    }

    @Override
    protected Projection lmHead() {
        return child("lm_head", Projection.class);
    }

    public LlamaModel model() {
        return model;
    }

    @Override
    protected int[] kvGeometry() {
        return new int[] {config().numKvHeads(), config().headDim()};
    }

    @Override
    protected String basePrefix() {
        return "model.";
    }

    @Override
    protected boolean ignoredCheckpointKey(String name) {
        return name.endsWith(".rotary_emb.inv_freq") || config().tieWordEmbeddings() && name.equals("lm_head.weight");
    }
}
