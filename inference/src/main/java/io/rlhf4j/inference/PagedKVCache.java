package io.rlhf4j.inference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.generation.Generation;
import java.util.Arrays;

/**
 * A {@link KvCache} in fixed-size blocks of a shared {@link KvBlockPool} (vLLM's PagedAttention
 * layout): each row owns a block table, position p of a row lives in block
 * {@code table[p / blockSize]} at offset {@code p % blockSize}, blocks are taken from the pool as
 * positions arrive and returned by {@link #truncate} and {@link #close}. Memory in use therefore
 * follows the tokens actually cached, not a preallocated [B, capacity] rectangle.
 *
 * <p>Rows may share blocks ({@link #repeatRows}: N samples of one prompt hold the prompt's blocks
 * once); a shared block is copied before a row writes into it (copy-on-write).
 *
 * <p>The models call {@link #attend}, which attends over the blocks in place
 * ({@link OptimizedAttention#paged}) unless told to gather. {@link #update} still serves callers that want the keys
 * themselves: it gathers each row's blocks into a contiguous [B, Hkv, S, D] copy in the caller's
 * memory scope.
 */
public final class PagedKVCache implements KvCache {

    private final KvBlockPool pool;
    private final int[][] tables;
    private final int[] blockCounts;
    private final boolean inPlaceAttention;
    private int length;
    private boolean closed;

    /** An empty cache of {@code batch} rows drawing blocks from {@code pool}, attending over the blocks in place. */
    public PagedKVCache(KvBlockPool pool, int batch) {
        this(pool, batch, true);
    }

    /**
     * As {@link #PagedKVCache(KvBlockPool, int)}; with {@code inPlaceAttention} false, {@link #attend}
     * gathers the blocks and runs the engine's attention instead (bitwise the contiguous cache's
     * results; the in-place kernel accumulates in double and differs by float rounding).
     */
    public PagedKVCache(KvBlockPool pool, int batch, boolean inPlaceAttention) {
        this.inPlaceAttention = inPlaceAttention;
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        this.pool = pool;
        tables = new int[batch][4];
        blockCounts = new int[batch];
    }

    /** Makes paged caches from {@code pool} for {@link Generation#generate}, which closes each when it ends. */
    public static Generation.CacheFactory factory(KvBlockPool pool) {
        return (batch, capacity) -> new PagedKVCache(pool, batch);
    }

    @Override
    public int length() {
        return length;
    }

    public int batch() {
        return tables.length;
    }

    /** The blocks holding row {@code row}'s positions, in order. */
    public int[] blockTable(int row) {
        return Arrays.copyOf(tables[row], blockCounts[row]);
    }

    @Override
    public KeyValues update(int layer, Tensor k, Tensor v) {
        int total = write(layer, k, v);
        int batch = tables.length;
        Tensor allKeys = Tensor.empty(pool.dtype(), batch, pool.kvHeads(), total, pool.headDim());
        Tensor allValues = Tensor.empty(pool.dtype(), batch, pool.kvHeads(), total, pool.headDim());
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            for (int b = 0; b < batch; b++) {
                Tensor rowKeys = allKeys.narrow(0, b, 1);
                Tensor rowValues = allValues.narrow(0, b, 1);
                forEachChunk(b, 0, total, (block, offset, pos, n) -> {
                    rowKeys.narrow(2, pos, n).copyFrom(pool.keys(layer, block, offset, n));
                    rowValues.narrow(2, pos, n).copyFrom(pool.values(layer, block, offset, n));
                });
            }
        }
        return new KeyValues(allKeys, allValues);
    }

    /**
     * Writes this step's keys and values into the blocks and attends over them in place with
     * {@link OptimizedAttention#paged} (no gathered copy); CUDA queries take the gathering path.
     */
    @Override
    public Tensor attend(int layer, Tensor q, Tensor k, Tensor v, Tensor keyMask) {
        if (!inPlaceAttention || !OptimizedAttention.pagedApplies(q, pool)) {
            return KvCache.super.attend(layer, q, k, v, keyMask);
        }
        int total = write(layer, k, v);
        return OptimizedAttention.paged(q, pool, layer, tables, total, keyMask, Double.NaN);
    }

    /** Checks k and v [B, Hkv, T, D], stores them at positions [length, length + T); returns length + T. */
    private int write(int layer, Tensor k, Tensor v) {
        checkOpen();
        int batch = tables.length;
        int t = k.shape(2);
        int[] expected = {batch, pool.kvHeads(), t, pool.headDim()};
        if (!Arrays.equals(k.shape(), expected) || !Arrays.equals(v.shape(), expected)) {
            throw new IllegalArgumentException("layer " + layer + ": paged cache expects keys/values "
                    + Arrays.toString(expected) + ", got " + Arrays.toString(k.shape()) + " and "
                    + Arrays.toString(v.shape()));
        }
        if (layer < 0 || layer >= pool.layers()) {
            throw new IllegalArgumentException("layer " + layer + " outside the pool's " + pool.layers() + " layers");
        }
        reserve(length + t);
        int past = length;
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            Tensor kd = k.detach();
            Tensor vd = v.detach();
            for (int b = 0; b < batch; b++) {
                Tensor newKeys = kd.narrow(0, b, 1);
                Tensor newValues = vd.narrow(0, b, 1);
                forEachChunk(b, past, past + t, (block, offset, pos, n) -> {
                    pool.keys(layer, block, offset, n).copyFrom(newKeys.narrow(2, pos - past, n));
                    pool.values(layer, block, offset, n).copyFrom(newValues.narrow(2, pos - past, n));
                });
            }
        }
        return past + t;
    }

    @Override
    public void advance(int tokens) {
        checkOpen();
        if (tokens < 0) {
            throw new IllegalArgumentException("cannot advance the KV cache by " + tokens);
        }
        reserve(length + tokens);
        length += tokens;
    }

    /** Forgets positions from {@code newLength} on and returns the blocks no row needs any more. */
    @Override
    public void truncate(int newLength) {
        checkOpen();
        KvCache.checkTruncate(newLength, length);
        int keep = blocksFor(newLength);
        for (int b = 0; b < tables.length; b++) {
            while (blockCounts[b] > keep) {
                pool.release(tables[b][--blockCounts[b]]);
            }
        }
        length = newLength;
    }

    /**
     * A new cache of {@code batch() × times} rows whose row {@code r·times + i} starts as a copy of
     * row r, sharing r's blocks (no copy until a row writes into a shared block). This cache stays
     * valid; close both when done.
     */
    public PagedKVCache repeatRows(int times) {
        checkOpen();
        if (times <= 0) {
            throw new IllegalArgumentException("times must be positive, got " + times);
        }
        PagedKVCache out = new PagedKVCache(pool, tables.length * times, inPlaceAttention);
        for (int r = 0; r < tables.length; r++) {
            for (int i = 0; i < times; i++) {
                int row = r * times + i;
                out.tables[row] = Arrays.copyOf(tables[r], Math.max(4, blockCounts[r]));
                out.blockCounts[row] = blockCounts[r];
                for (int j = 0; j < blockCounts[r]; j++) {
                    pool.retain(tables[r][j]);
                }
            }
        }
        out.length = length;
        return out;
    }

    /** Returns every block to the pool; the cache cannot be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        truncate(0);
        closed = true;
    }

    /**
     * Makes every row's blocks cover positions [0, positions): allocates missing blocks and copies
     * shared blocks that positions from {@link #length} on will be written into. The pool is checked
     * for enough free blocks first, so a failure leaves the cache as it was.
     */
    private void reserve(int positions) {
        int needed = 0;
        int firstWritten = length / pool.blockSize();
        int blocks = blocksFor(positions);
        for (int b = 0; b < tables.length; b++) {
            needed += Math.max(0, blocks - blockCounts[b]);
            for (int j = firstWritten; j < Math.min(blocks, blockCounts[b]); j++) {
                needed += pool.refCount(tables[b][j]) > 1 ? 1 : 0;
            }
        }
        if (needed == 0) {
            return;
        }
        pool.require(needed, tables.length + " rows growing to " + positions + " positions");
        for (int b = 0; b < tables.length; b++) {
            for (int j = firstWritten; j < Math.min(blocks, blockCounts[b]); j++) {
                int shared = tables[b][j];
                if (pool.refCount(shared) > 1) {
                    int own = pool.allocate();
                    pool.copyBlock(shared, own);
                    pool.release(shared);
                    tables[b][j] = own;
                }
            }
            while (blockCounts[b] < blocks) {
                if (blockCounts[b] == tables[b].length) {
                    tables[b] = Arrays.copyOf(tables[b], 2 * tables[b].length);
                }
                tables[b][blockCounts[b]++] = pool.allocate();
            }
        }
    }

    private int blocksFor(int positions) {
        return (positions + pool.blockSize() - 1) / pool.blockSize();
    }

    /** Calls {@code chunk} for each run of positions [from, to) of row b that lies in one block. */
    private void forEachChunk(int b, int from, int to, Chunk chunk) {
        int size = pool.blockSize();
        int pos = from;
        while (pos < to) {
            int offset = pos % size;
            int n = Math.min(size - offset, to - pos);
            chunk.accept(tables[b][pos / size], offset, pos, n);
            pos += n;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the paged KV cache is closed (its blocks went back to the pool)");
        }
    }

    @FunctionalInterface
    private interface Chunk {
        void accept(int block, int offset, int position, int n);
    }
}
