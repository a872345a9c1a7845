package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to write: name, dtype, shape and its bytes, little-endian and row-major. The byte
 * count is checked here, when the tensor is described, rather than halfway through a write.
 */
public record TensorBytes(String name, DType dtype, long[] shape, MemorySegment data) {

    public TensorBytes {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = Shapes.checkedCopy(shape);
        long expected;
        try {
            expected = Shapes.byteCount(shape, dtype);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': shape "
                    + Arrays.toString(shape) + " has more bytes than fit in 64 bits", e);
        }
        if (expected != data.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " of " + dtype + " needs " + expected + " bytes but " + data.byteSize() + " were given");
        }
    }

    /** A copy: the shape was validated once and must stay as validated. */
    @Override
    public long[] shape() {
        return shape.clone();
    }
}
