package io.rlhf4j.inference;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.models.ModelConfig;

/**
 * The shared storage of {@link PagedKVCache}s: {@code numBlocks} blocks of {@code blockSize}
 * positions, each holding every layer's keys and values of those positions ([Hkv, blockSize, D]
 * per layer), in long-lived memory. Blocks carry a reference count so that several sequences can
 * share one (the prompt of best-of-N samples); a block returns to the free list when its last
 * holder releases it, and freed blocks are handed out again most recently freed first.
 * Not thread-safe: one generation loop drives it.
 */
public final class KvBlockPool {

    private final Tensor[] keys;
    private final Tensor[] values;
    private final int blockSize;
    private final int[] refCounts;
    private final int[] freeStack;
    private int freeCount;

    public KvBlockPool(int layers, int kvHeads, int headDim, int blockSize, int numBlocks, DType dtype) {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || blockSize <= 0 || numBlocks <= 0) {
            throw new IllegalArgumentException("KV block pool sizes must be positive: layers " + layers + ", kv heads "
                    + kvHeads + ", head dim " + headDim + ", block size " + blockSize + ", blocks " + numBlocks);
        }
        this.blockSize = blockSize;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = Parameter.zeros(dtype, numBlocks, kvHeads, blockSize, headDim).tensor().detach();
            values[l] = Parameter.zeros(dtype, numBlocks, kvHeads, blockSize, headDim).tensor().detach();
        }
        refCounts = new int[numBlocks];
        freeStack = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            freeStack[i] = numBlocks - 1 - i;
        }
        freeCount = numBlocks;
    }

    /** A pool sized for {@code config}'s layers and key/value heads, in F32 (what the models compute in). */
    public static KvBlockPool forModel(ModelConfig config, int blockSize, int numBlocks) {
        return new KvBlockPool(config.numLayers(), config.numKvHeads(), config.headDim(), blockSize, numBlocks,
                DType.F32);
    }

    public int blockSize() {
        return blockSize;
    }

    public int numBlocks() {
        return refCounts.length;
    }

    public int freeBlocks() {
        return freeCount;
    }

    public int layers() {
        return keys.length;
    }

    public int kvHeads() {
        return keys[0].shape(1);
    }

    public int headDim() {
        return keys[0].shape(3);
    }

    public DType dtype() {
        return keys[0].dtype();
    }

    /** Holders of {@code block} (0 when free). */
    public int refCount(int block) {
        return refCounts[block];
    }

    /** Checks that {@code needed} blocks are free, naming the sizes when they are not. */
    void require(int needed, String forWhat) {
        if (needed > freeCount) {
            throw new IllegalStateException("KV block pool exhausted: " + forWhat + " needs " + needed
                    + " more blocks of " + blockSize + " positions, but only " + freeCount + " of " + numBlocks()
                    + " are free; make the pool larger (blocks × block size ≥ rows × positions)");
        }
    }

    /** Takes a free block (reference count 1). */
    int allocate() {
        require(1, "a sequence");
        int block = freeStack[--freeCount];
        refCounts[block] = 1;
        return block;
    }

    /** One more holder of {@code block}. */
    void retain(int block) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " is free and cannot be shared");
        }
        refCounts[block]++;
    }

    /** One holder fewer; the block is free again when none is left. */
    void release(int block) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " released more often than allocated");
        }
        if (--refCounts[block] == 0) {
            freeStack[freeCount++] = block;
        }
    }

    /** Copies every layer's keys and values of block {@code from} into block {@code to}. */
    void copyBlock(int from, int to) {
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            for (int l = 0; l < keys.length; l++) {
                keys[l].narrow(0, to, 1).copyFrom(keys[l].narrow(0, from, 1));
                values[l].narrow(0, to, 1).copyFrom(values[l].narrow(0, from, 1));
            }
        }
    }

    /** Positions [offset, offset + n) of {@code block}'s keys in {@code layer}: a view [1, Hkv, n, D]. */
    Tensor keys(int layer, int block, int offset, int n) {
        return keys[layer].narrow(0, block, 1).narrow(2, offset, n);
    }

    /** Layer {@code layer}'s keys of every block, [numBlocks, Hkv, blockSize, D]. */
    Tensor keyStorage(int layer) {
        return keys[layer];
    }

    /** Layer {@code layer}'s values of every block, [numBlocks, Hkv, blockSize, D]. */
    Tensor valueStorage(int layer) {
        return values[layer];
    }

    /** As {@link #keys} for the values. */
    Tensor values(int layer, int block, int offset, int n) {
        return values[layer].narrow(0, block, 1).narrow(2, offset, n);
    }
}
