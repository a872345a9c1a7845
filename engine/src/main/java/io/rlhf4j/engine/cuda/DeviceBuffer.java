package io.rlhf4j.engine.cuda;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import java.util.Arrays;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory holding a contiguous row-major array: a device pointer, its byte size, a dtype
 * and a shape. Owning buffers come from a {@link DeviceAllocator} and return to it on
 * {@link #close()} (or when their {@link DeviceScope} closes); {@link #view} makes a buffer over
 * part of another one (for example at an unaligned byte offset) that owns nothing. Host copies
 * go through {@link CudaContext#upload} / {@link CudaContext#download}.
 */
public final class DeviceBuffer implements AutoCloseable {

    private final DeviceAllocator owner;
    private final DeviceAllocator.Block block;
    private final DeviceBuffer parent;
    private final CUdeviceptr pointer;
    private final long byteSize;
    private final DType dtype;
    private final int[] shape;
    /** Volatile and closed under a lock: a garbage-collected tensor's buffer is closed by the cleaner's thread. */
    private volatile boolean released;
    /** The scope that will close this buffer, or null; only the allocating thread reads or writes it. */
    DeviceScope scope;

    DeviceBuffer(DeviceAllocator owner, DeviceAllocator.Block block, long byteSize, DType dtype, int[] shape) {
        this(owner, block, null, block.pointer(), byteSize, dtype, shape);
    }

    private DeviceBuffer(DeviceAllocator owner, DeviceAllocator.Block block, DeviceBuffer parent, CUdeviceptr pointer,
                         long byteSize, DType dtype, int[] shape) {
        this.owner = owner;
        this.block = block;
        this.parent = parent;
        this.pointer = pointer;
        this.byteSize = byteSize;
        this.dtype = dtype;
        this.shape = Shapes.check(shape.clone());
    }

    /** A buffer over {@code dtype[shape]} starting {@code byteOffset} bytes into this one. */
    public DeviceBuffer view(long byteOffset, DType dtype, int... shape) {
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        if (byteOffset < 0 || byteOffset + bytes > byteSize) {
            throw new IllegalArgumentException("view of " + dtype + Arrays.toString(shape) + " (" + bytes
                    + " bytes) at offset " + byteOffset + " does not fit in a buffer of " + byteSize + " bytes");
        }
        return new DeviceBuffer(owner, null, this, pointer().withByteOffset(byteOffset), bytes, dtype, shape);
    }

    /** A view of the same memory with another shape of the same element count. */
    public DeviceBuffer reshape(int... newShape) {
        if (Shapes.numel(newShape) != numel()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return view(0, dtype, newShape);
    }

    /** The device pointer; throws if the buffer (or the one it views) was released. */
    public CUdeviceptr pointer() {
        if (isReleased()) {
            throw new IllegalStateException("device buffer " + this + " was used after it was released "
                    + "(closed, or its DeviceScope closed)");
        }
        return pointer;
    }

    public long byteSize() {
        return byteSize;
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public boolean isReleased() {
        return parent != null ? parent.isReleased() : released;
    }

    /** Returns an owning buffer's block to its allocator; a view owns nothing. Idempotent. */
    @Override
    public synchronized void close() {
        if (parent == null && !released) {
            released = true;
            owner.release(block);
        }
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + (parent != null ? " (view)" : "");
    }
}
