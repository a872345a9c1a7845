package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.models.Gpt2Model;
import io.rlhf4j.nn.models.LlamaModel;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.PositionIds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The base transformers of a reward model (transformers' AutoModel: the decoder stack without
 * lm_head) and the checkpoint names that go with them.
 */
final class Backbones {

    private Backbones() {
    }

    /** A zero-weight LlamaModel or GPT2Model for {@code config}. */
    static Module create(ModelConfig config, DType dtype) {
        return config.isLlamaFamily() ? new LlamaModel(config, dtype) : new Gpt2Model(config, dtype);
    }

    /** The name transformers gives the base model inside its task models: "model" or "transformer". */
    static String prefix(ModelConfig config) {
        return config.isLlamaFamily() ? "model" : "transformer";
    }

    /** transformers' AutoModel class name: LlamaModel, MistralModel, Qwen2Model, Qwen3Model, GPT2Model. */
    static String baseArchitecture(ModelConfig config) {
        return family(config) + "Model";
    }

    /** transformers' sequence-classification class name, e.g. LlamaForSequenceClassification. */
    static String sequenceClassificationArchitecture(ModelConfig config) {
        return family(config) + "ForSequenceClassification";
    }

    /** transformers' token-classification class name, e.g. LlamaForTokenClassification. */
    static String tokenClassificationArchitecture(ModelConfig config) {
        return family(config) + "ForTokenClassification";
    }

    private static String family(ModelConfig config) {
        String causal = config.architecture();
        return causal.endsWith("ForCausalLM") ? causal.substring(0, causal.length() - "ForCausalLM".length())
                : causal.substring(0, causal.length() - "LMHeadModel".length());
    }

    /**
     * Final hidden states [B, T, H] (F32) for ids [B, T] and a mask [B, T] (non-zero = token).
     * Positions come from the mask ({@link PositionIds#fromAttentionMask}), so padding on either
     * side leaves a row's hidden states at its tokens unchanged.
     */
    static Tensor hiddenStates(Module backbone, ModelConfig config, Tensor inputIds, Tensor attentionMask) {
        int seq = inputIds.shape(1);
        if (config.slidingWindow() > 0 && seq > config.slidingWindow()) {
            throw new UnsupportedOperationException(config.modelType() + ": sequence of " + seq
                    + " positions exceeds sliding_window " + config.slidingWindow()
                    + "; sliding-window attention is not implemented");
        }
        Tensor positions = PositionIds.fromAttentionMask(attentionMask);
        return switch (backbone) {
            case LlamaModel llama -> llama.forward(inputIds, positions, attentionMask, null);
            case Gpt2Model gpt2 -> gpt2.forward(inputIds, positions, attentionMask, null);
            default -> throw new IllegalStateException("not a backbone: " + backbone.getClass().getName());
        };
    }

    /**
     * The backbone's tensors of a checkpoint, under the backbone's own names: a base-model
     * checkpoint (AutoModel layout, no prefix), a causal LM's ("model."/"transformer." prefix
     * plus lm_head) or a sequence classifier's (prefix plus score). Heads and buffers are dropped.
     */
    static Map<String, Tensor> backboneState(Map<String, Tensor> checkpoint, ModelConfig config) {
        String prefix = prefix(config) + ".";
        Map<String, Tensor> out = new LinkedHashMap<>();
        checkpoint.forEach((name, tensor) -> {
            String key = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
            if (!isHeadOrBuffer(key)) {
                out.put(key, tensor);
            }
        });
        return out;
    }

    private static boolean isHeadOrBuffer(String key) {
        return key.startsWith("lm_head.") || key.startsWith("score.") || key.startsWith("reward_head.")
                || key.endsWith(".rotary_emb.inv_freq") || key.endsWith(".attn.bias") || key.endsWith(".attn.masked_bias");
    }
}
