package io.rlhf4j.nn;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;

/**
 * The keys and values of positions already processed, per layer, so that generation feeds only
 * the new tokens. Keys are stored after RoPE, as in Hugging Face's caches. A forward pass with a
 * cache calls {@link #update} once per layer, then {@link #advance} once with the number of new
 * tokens. The attention mask passed with such a forward covers cached and new positions.
 */
public interface KvCache extends AutoCloseable {

    /** keys and values [B, Hkv, S, D]. */
    record KeyValues(Tensor keys, Tensor values) {
    }

    /** Positions already cached (the same for every row; left padding is masked, not skipped). */
    int length();

    /**
     * Appends this step's keys and values [B, Hkv, T, D] of layer {@code layer} after the cached
     * ones and returns all of them, [B, Hkv, length() + T, D].
     */
    KeyValues update(int layer, Tensor keys, Tensor values);

    /**
     * Appends this step's keys and values as {@link #update} does and returns causal attention of
     * queries q [B, Hq, T, D] over the cached and new positions (the diagonal aligned bottom-right,
     * keys masked where keyMask [B, S] is zero, or none when null), with scale 1/√D. This default
     * reads the keys {@link #update} returns with {@link F#scaledDotProductAttention}; a cache with
     * its own layout may attend over its storage directly.
     */
    default Tensor attend(int layer, Tensor q, Tensor keys, Tensor values, Tensor keyMask) {
        KeyValues all = update(layer, keys, values);
        return F.scaledDotProductAttention(q, all.keys(), all.values(), keyMask, true);
    }

    /** Marks {@code tokens} new positions as cached, after every layer has been updated. */
    void advance(int tokens);

    /**
     * Forgets every position from {@code length} on, so that the next update writes there (a
     * rollback, e.g. after speculative decoding rejects drafted tokens).
     *
     * @throws IllegalArgumentException unless 0 ≤ length ≤ {@link #length()}
     */
    void truncate(int length);

    /** The check every {@link #truncate} starts with. */
    static void checkTruncate(int length, int cached) {
        if (length < 0 || length > cached) {
            throw new IllegalArgumentException("cannot truncate the KV cache to " + length + " positions: it holds "
                    + cached);
        }
    }

    /**
     * Gives back memory the cache holds outside the garbage collector (a paged cache's pool blocks);
     * generation closes the caches it makes. Nothing to do by default.
     */
    @Override
    default void close() {
    }
}
