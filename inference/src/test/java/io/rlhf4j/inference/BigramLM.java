package io.rlhf4j.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import java.nio.file.Path;

/**
 * A toy causal LM whose next-token logits depend on the last token only (a table [V][V]), so
 * that exact sequence probabilities are products of table entries. Its cache only counts positions.
 */
final class BigramLM implements CausalLM {

    private final float[][] logits;
    private final ModelConfig config;

    BigramLM(float[][] logits) {
        this.logits = logits;
        ObjectNode c = new ObjectMapper().createObjectNode().put("model_type", "llama")
                .put("vocab_size", logits.length).put("hidden_size", 4).put("intermediate_size", 4)
                .put("num_hidden_layers", 1).put("num_attention_heads", 1);
        config = ModelConfig.parse(c, "bigram");
    }

    /** softmax of row {@code previous}, in double. */
    double probability(int previous, int next) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits[previous]) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits[previous]) {
            sum += Math.exp(l - max);
        }
        return Math.exp(logits[previous][next] - max) / sum;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        long[] ids = inputIds.toLongArray();
        int vocab = logits.length;
        float[] out = new float[ids.length * vocab];
        for (int t = 0; t < ids.length; t++) {
            System.arraycopy(logits[(int) ids[t]], 0, out, t * vocab, vocab);
        }
        if (cache != null) {
            cache.advance(ids.length);
        }
        return Tensor.of(out, 1, ids.length, vocab);
    }

    @Override
    public Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        Tensor all = forward(inputIds, attentionMask, positionIds, cache);
        return all.narrow(1, all.shape(1) - 1, 1).squeeze(1).contiguous();
    }

    @Override
    public KvCache newKvCache(int batch, int capacity) {
        return new KvCache() {
            private int length;

            @Override
            public int length() {
                return length;
            }

            @Override
            public KeyValues update(int layer, Tensor keys, Tensor values) {
                throw new UnsupportedOperationException("the bigram model has no keys");
            }

            @Override
            public void advance(int tokens) {
                length += tokens;
            }

            @Override
            public void truncate(int newLength) {
                KvCache.checkTruncate(newLength, length);
                length = newLength;
            }
        };
    }

    @Override
    public void save(Path directory) {
        throw new UnsupportedOperationException("toy model");
    }

    @Override
    public Module module() {
        throw new UnsupportedOperationException("toy model");
    }
}
