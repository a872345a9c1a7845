package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.DType;
import java.util.Arrays;

/** Shape arithmetic shared by the reader and the writer, overflow-checked because shapes come from untrusted headers. */
final class Shapes {

    private Shapes() {
    }

    /** Number of elements; an empty shape is a scalar with one element. */
    static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** Bytes a dense tensor of this shape and dtype occupies; throws ArithmeticException on overflow. */
    static long byteCount(long[] shape, DType dtype) {
        return Math.multiplyExact(elementCount(shape), dtype.byteSize());
    }

    static long[] checkedCopy(long[] shape) {
        long[] copy = shape.clone();
        for (long dim : copy) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return copy;
    }
}
