package io.rlhf4j.nn.models;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.ContiguousKvCache;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.layers.Projection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What every model family shares: input checks, position ids from the attention mask, the KV
 * cache bookkeeping, the LM head, and saving. A family implements {@link #hiddenStates} and names its checkpoint
 * conventions.
 */
public abstract class PreTrainedCausalLM extends Module implements CausalLM {

    private final ModelConfig config;
    private final DType dtype;

    protected PreTrainedCausalLM(ModelConfig config, DType dtype) {
        this.config = config;
        this.dtype = dtype;
    }

    @Override
    public final ModelConfig config() {
        return config;
    }

    /** The dtype parameters are stored in. */
    public final DType parameterDType() {
        return dtype;
    }

    @Override
    public final Module module() {
        return this;
    }

    @Override
    public final Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        return lmHead().forward(run(inputIds, attentionMask, positionIds, cache));
    }

    @Override
    public final Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        Tensor hidden = run(inputIds, attentionMask, positionIds, cache);
        int seq = hidden.shape(1);
        return lmHead().forward(hidden.narrow(1, seq - 1, 1)).squeeze(1);
    }

    /**
     * The base model's final hidden states [B, T, hidden] without the LM head (inputs as
     * {@link #forward(Tensor, Tensor, Tensor)}): what a value head shares with the policy.
     */
    public final Tensor lastHiddenState(Tensor inputIds, Tensor attentionMask, Tensor positionIds) {
        return run(inputIds, attentionMask, positionIds, null);
    }

    /** The LM head on hidden states from {@link #lastHiddenState}: logits [B, T, V]. */
    public final Tensor logitsOf(Tensor hidden) {
        return lmHead().forward(hidden);
    }

    /** Checks the inputs, resolves position ids, runs the base model and advances the cache. */
    private Tensor run(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        if (inputIds.rank() != 2 || inputIds.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("input ids must be an integer tensor [batch, seq], got "
                    + inputIds.dtype() + Arrays.toString(inputIds.shape()));
        }
        int batch = inputIds.shape(0);
        int seq = inputIds.shape(1);
        int past = cache == null ? 0 : cache.length();
        if (attentionMask != null && (attentionMask.rank() != 2 || attentionMask.shape(0) != batch
                || attentionMask.shape(1) != past + seq)) {
            throw new IllegalArgumentException("attention mask must be [" + batch + ", " + (past + seq)
                    + "] (batch, cached + new positions), got " + Arrays.toString(attentionMask.shape()));
        }
        if (positionIds == null) {
            positionIds = attentionMask == null ? PositionIds.range(past, seq)
                    : PositionIds.fromAttentionMask(attentionMask).narrow(1, past, seq).contiguous();
        } else if (positionIds.rank() != 2 || positionIds.shape(1) != seq
                || positionIds.shape(0) != batch && positionIds.shape(0) != 1) {
            throw new IllegalArgumentException("position ids must be [" + batch + " or 1, " + seq + "], got "
                    + Arrays.toString(positionIds.shape()));
        }
        checkLength(past + seq);
        Tensor out = hiddenStates(inputIds, positionIds, attentionMask, cache);
        if (cache != null) {
            cache.advance(seq);
        }
        return out;
    }

    private void checkLength(int length) {
        if (config.slidingWindow() > 0 && length > config.slidingWindow()) {
            throw new UnsupportedOperationException(config.modelType() + ": sequence of " + length
                    + " positions exceeds sliding_window " + config.slidingWindow()
                    + "; sliding-window attention is not implemented");
        }
    }

    /** The family's base model (final hidden states [B, T, hidden]) once inputs are checked and positions resolved. */
    protected abstract Tensor hiddenStates(Tensor inputIds, Tensor positionIds, Tensor attentionMask, KvCache cache);

    /** The projection from hidden states to vocabulary logits. */
    protected abstract Projection lmHead();

    /** Key/value heads and their dimension, for sizing a cache. */
    protected abstract int[] kvGeometry();

    @Override
    public final KvCache newKvCache(int batch, int capacity) {
        int[] g = kvGeometry();
        return new ContiguousKvCache(config.numLayers(), batch, g[0], g[1], capacity, DType.F32);
    }

    /**
     * The prefix of the base model's names ("model." or "transformer."); checkpoints saved from
     * the base model alone (e.g. the original gpt2 files) lack it.
     */
    protected abstract String basePrefix();

    /** Names a checkpoint may hold that are not parameters here (buffers, tied aliases). */
    protected abstract boolean ignoredCheckpointKey(String name);

    @Override
    public final void save(Path directory) throws IOException {
        ModelFiles.save(this, directory);
    }
}
