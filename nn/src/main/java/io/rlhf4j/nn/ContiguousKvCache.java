package io.rlhf4j.nn;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import java.util.Arrays;

/**
 * A {@link KvCache} with one preallocated [B, Hkv, capacity, D] buffer for keys and one for
 * values per layer, in long-lived memory (outside any scope, so it survives per-step scopes).
 * {@link #update} copies the new rows in place and returns views of the filled prefix, no copies.
 * It holds no autograd history: it serves generation, under {@code Grad.disabled()}.
 */
public final class ContiguousKvCache implements KvCache {

    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private int length;

    public ContiguousKvCache(int layers, int batch, int kvHeads, int headDim, int capacity, DType dtype) {
        if (layers <= 0 || batch <= 0 || kvHeads <= 0 || headDim <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("KV cache sizes must be positive: layers " + layers + ", batch " + batch
                    + ", kv heads " + kvHeads + ", head dim " + headDim + ", capacity " + capacity);
        }
        this.capacity = capacity;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = longLived(dtype, batch, kvHeads, capacity, headDim);
            values[l] = longLived(dtype, batch, kvHeads, capacity, headDim);
        }
    }

    private static Tensor longLived(DType dtype, int... shape) {
        return Parameter.zeros(dtype, shape).tensor().detach();
    }

    @Override
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public KeyValues update(int layer, Tensor k, Tensor v) {
        Tensor kb = keys[layer];
        int t = k.shape(2);
        int[] expected = {kb.shape(0), kb.shape(1), t, kb.shape(3)};
        if (!Arrays.equals(k.shape(), expected) || !Arrays.equals(v.shape(), expected)) {
            throw new IllegalArgumentException("layer " + layer + ": cache expects keys/values " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(k.shape()) + " and " + Arrays.toString(v.shape()));
        }
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " cached + " + t + " new positions exceed capacity "
                    + capacity);
        }
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            kb.narrow(2, length, t).copyFrom(k.detach());
            values[layer].narrow(2, length, t).copyFrom(v.detach());
        }
        return new KeyValues(kb.narrow(2, 0, length + t), values[layer].narrow(2, 0, length + t));
    }

    @Override
    public void advance(int tokens) {
        if (tokens < 0 || length + tokens > capacity) {
            throw new IllegalArgumentException("cannot advance the KV cache by " + tokens + " from " + length
                    + " (capacity " + capacity + ")");
        }
        length += tokens;
    }

    @Override
    public void truncate(int newLength) {
        KvCache.checkTruncate(newLength, length);
        length = newLength;
    }

    /** Forgets every cached position (the buffers are reused). */
    public void reset() {
        length = 0;
    }
}
