package io.rlhf4j.nn.models;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.layers.Projection;

/**
 * GPT2LMHeadModel: the base model under "transformer." and an lm_head without bias, tied to wte
 * unless the config says tie_word_embeddings = false. Conv1D weights keep GPT-2's stored [in, out]
 * layout (see {@link io.rlhf4j.nn.layers.Conv1D}).
 */
public final class Gpt2LMHeadModel extends PreTrainedCausalLM {

    private final Gpt2Model transformer;

    public Gpt2LMHeadModel(ModelConfig config, DType dtype) {
        super(config, dtype);
        if (config.isLlamaFamily()) {
            throw new IllegalArgumentException("GPT2LMHeadModel cannot build model_type " + config.modelType());
        }
        transformer = registerModule("transformer", new Gpt2Model(config, dtype));
        registerModule("lm_head", config.tieWordEmbeddings()
                ? new Linear(transformer.wte().weight(), null)
                : new Linear(config.hiddenSize(), config.vocabSize(), false, dtype));
    }

    @Override
    protected Tensor hiddenStates(Tensor inputIds, Tensor positionIds, Tensor attentionMask, KvCache cache) {
        return transformer.forward(inputIds, positionIds, attentionMask, cache);
    }

    @Override
    protected Projection lmHead() {
        return child("lm_head", Projection.class);
    }

    public Gpt2Model transformer() {
        return transformer;
    }

    @Override
    protected int[] kvGeometry() {
        return new int[] {config().numHeads(), config().hiddenSize() / config().numHeads()};
    }

    @Override
    protected String basePrefix() {
        return "transformer.";
    }

    /** attn.bias / attn.masked_bias are causal-mask buffers older transformers saved. */
    @Override
    protected boolean ignoredCheckpointKey(String name) {
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")
                || config().tieWordEmbeddings() && name.equals("lm_head.weight");
    }
}
