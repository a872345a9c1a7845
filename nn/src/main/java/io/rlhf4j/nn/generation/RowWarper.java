package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.Arrays;

/** A processor that rewrites each row of scores [B, V] independently, on a float copy of the row. */
abstract class RowWarper implements LogitsProcessor {

    @Override
    public final Tensor process(Tensor scores) {
        if (scores.rank() != 2) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs scores [batch, vocab], got "
                    + Arrays.toString(scores.shape()));
        }
        int rows = scores.shape(0);
        int vocab = scores.shape(1);
        float[] all = scores.to(DType.F32).contiguous().toFloatArray();
        float[] row = new float[vocab];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, r * vocab, row, 0, vocab);
            warp(row);
            System.arraycopy(row, 0, all, r * vocab, vocab);
        }
        return Tensor.of(all, rows, vocab);
    }

    /** Rewrites one row in place. */
    abstract void warp(float[] row);

    /**
     * Keys that sort a row ascending by value, ties by index: the float's bits made
     * order-preserving as a signed int in the high half, the index in the low half.
     */
    static long[] ascendingKeys(float[] row) {
        long[] keys = new long[row.length];
        for (int i = 0; i < row.length; i++) {
            int bits = Float.floatToRawIntBits(row[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            keys[i] = (long) bits << 32 | i;
        }
        Arrays.sort(keys);
        return keys;
    }

    /** The index stored in a key of {@link #ascendingKeys}. */
    static int index(long key) {
        return (int) key;
    }
}
