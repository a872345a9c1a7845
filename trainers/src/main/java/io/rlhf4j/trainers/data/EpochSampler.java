package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.random.Generator;
import java.util.Arrays;

/**
 * The order in which a run visits a dataset's examples: a fresh permutation per epoch, drawn from
 * the run's seed through {@code Generator.seed(seed).fork("shuffle").fork("epoch-<e>")}, so each
 * epoch's order is a pure function of (seed, epoch), independent of any other randomness of the
 * run and of how far earlier epochs got. That makes resuming mid-epoch exact: rebuild the epoch's
 * permutation and continue at the saved index.
 */
public final class EpochSampler {

    private final int size;
    private final long seed;
    private final boolean shuffle;
    private int epoch;
    private long index;
    private int[] order;

    public EpochSampler(int size, long seed, boolean shuffle) {
        this(size, shuffle, new DataPosition(0, 0, seed));
    }

    private EpochSampler(int size, boolean shuffle, DataPosition at) {
        if (size <= 0) {
            throw new IllegalArgumentException("dataset size must be > 0, got " + size);
        }
        if (at.indexInEpoch() > size) {
            throw new IllegalArgumentException("saved position " + at.indexInEpoch() + " is past the end of a "
                    + size + "-example dataset: was the dataset changed since the checkpoint?");
        }
        this.size = size;
        this.shuffle = shuffle;
        this.seed = at.shuffleSeed();
        this.epoch = at.epoch();
        this.index = at.indexInEpoch();
    }

    /** Continues exactly where a sampler with the same size and shuffle flag stood at {@code position}. */
    public static EpochSampler resume(int size, boolean shuffle, DataPosition position) {
        return new EpochSampler(size, shuffle, position);
    }

    /** The visiting order of {@code epoch}: a permutation of 0 … size−1 (the identity without shuffling). */
    public int[] order(int epoch) {
        if (!shuffle) {
            int[] identity = new int[size];
            Arrays.setAll(identity, i -> i);
            return identity;
        }
        return Generator.seed(seed).fork("shuffle").fork("epoch-" + epoch).permutation(size);
    }

    /**
     * The next up to {@code batchSize} example indices of the current epoch (the last batch of an
     * epoch may be shorter); when the epoch is used up, moves to the next one first.
     */
    public int[] nextBatch(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        if (index == size) {
            epoch++;
            index = 0;
            order = null;
        }
        if (order == null) {
            order = order(epoch);
        }
        int from = (int) index;
        int to = (int) Math.min(size, index + batchSize);
        index = to;
        return Arrays.copyOfRange(order, from, to);
    }

    /** Whether the current epoch's examples are all consumed. */
    public boolean epochFinished() {
        return index == size;
    }

    public DataPosition position() {
        return new DataPosition(epoch, index, seed);
    }
}
