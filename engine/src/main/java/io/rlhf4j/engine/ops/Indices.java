package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;

/** Reading and validating integer index tensors (I64, I32 or any integer dtype). */
final class Indices {

    private Indices() {
    }

    /** Fails unless {@code index} has an integer dtype. */
    static void checkIntegral(Tensor index, String op) {
        if (index.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": index must have an integer dtype (I64 or I32), got "
                    + index.dtype() + Arrays.toString(index.shape()));
        }
    }

    /** The indices in row-major order, each checked to lie in [0, size). */
    static long[] read(Tensor index, int size, String op, String what) {
        checkIntegral(index, op);
        long[] ids = index.toLongArray();
        for (int i = 0; i < ids.length; i++) {
            checkInRange(ids[i], size, op, what, i);
        }
        return ids;
    }

    static void checkInRange(long id, int size, String op, String what, long position) {
        if (id < 0 || id >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + id + " (at flat position " + position
                    + ") is out of range for " + what + " of size " + size);
        }
    }
}
