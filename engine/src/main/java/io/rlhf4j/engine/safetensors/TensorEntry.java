package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.DType;
import java.lang.foreign.MemorySegment;

/**
 * One tensor of an open {@link SafetensorsFile}: its header description and a zero-copy slice of
 * the memory-mapped file. Bytes are little-endian, row-major (C order), as the format defines.
 *
 * <p>The slice lives as long as its file: after {@link SafetensorsFile#close()} any access to
 * {@code data} throws IllegalStateException instead of touching unmapped memory.
 *
 * @param byteOffset where the tensor starts within the data area (after the header)
 * @param data exactly the tensor's bytes; {@code data.byteSize()} is its byte length
 */
public record TensorEntry(String name, DType dtype, long[] shape, long byteOffset, MemorySegment data) {

    public TensorEntry {
        shape = shape.clone();
    }

    /** A copy: callers must not be able to change what the file reports. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long byteLength() {
        return data.byteSize();
    }

    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /** The same tensor as writer input, still backed by the mapped file (no copy). */
    public TensorBytes toTensorBytes() {
        return new TensorBytes(name, dtype, shape, data);
    }
}
