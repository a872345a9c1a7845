package io.rlhf4j.engine.cuda;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * A caching allocator for device memory. A released block goes to a free list of its size class
 * and serves the next request of that class, so a training step that allocates the same shapes
 * every iteration stops calling {@code cuMemAlloc} (which synchronises the device) after its
 * first iteration. When the device is out of memory the cached blocks are returned to it and the
 * request is retried once before a {@link DeviceOutOfMemoryException}.
 *
 * <p>Size classes: powers of two from 512 bytes up to 1 MiB, then multiples of 1 MiB (waste at
 * most 2x for small blocks and under 1 MiB for large ones), as engine's CPU pool does.
 */
public final class DeviceAllocator {

    static final long MIN_CLASS = 512;
    private static final long MIB = 1L << 20;

    private final String device;
    private final DeviceMemory memory;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long bytesInUse;
    private long bytesReserved;
    private long allocations;
    private long hits;

    /** A block the allocator owns: its device pointer and size class. */
    record Block(CUdeviceptr pointer, long size) {
    }

    public DeviceAllocator(String device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
    }

    /** The block size that serves a request of {@code bytes}. */
    public static long sizeClass(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size " + bytes);
        }
        if (bytes <= MIN_CLASS) {
            return MIN_CLASS;
        }
        if (bytes <= MIB) {
            return Long.highestOneBit(bytes - 1) << 1;
        }
        return (bytes + MIB - 1) / MIB * MIB;
    }

    /** An uninitialised buffer, registered with the innermost open {@link DeviceScope} if any. */
    public DeviceBuffer allocate(DType dtype, int... shape) {
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        DeviceBuffer b = new DeviceBuffer(this, acquire(bytes), bytes, dtype, shape);
        DeviceScope scope = DeviceScope.current();
        if (scope != null) {
            scope.register(b);
        }
        return b;
    }

    synchronized Block acquire(long bytes) {
        long size = sizeClass(bytes);
        allocations++;
        ArrayDeque<Block> list = free.get(size);
        Block block = list == null ? null : list.pollFirst();
        if (block != null) {
            hits++;
        } else {
            CUdeviceptr p = memory.malloc(size);
            if (p == null) {
                trim();
                p = memory.malloc(size);
            }
            if (p == null) {
                throw new DeviceOutOfMemoryException(device, bytes, size, stats(), memory.info());
            }
            block = new Block(p, size);
            bytesReserved += size;
        }
        bytesInUse += size;
        return block;
    }

    synchronized void release(Block block) {
        bytesInUse -= block.size();
        free.computeIfAbsent(block.size(), k -> new ArrayDeque<>()).addFirst(block);
    }

    /** Returns every cached free block to the device. */
    public synchronized void trim() {
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) {
                memory.free(b.pointer());
                bytesReserved -= b.size();
            }
        }
        free.clear();
    }

    public synchronized AllocatorStats stats() {
        return new AllocatorStats(bytesInUse, bytesReserved, allocations, hits);
    }

    /** The device's free and total memory. */
    public DeviceMemory.MemInfo deviceInfo() {
        return memory.info();
    }

    @Override
    public String toString() {
        return "DeviceAllocator[" + device + ", " + stats() + "]";
    }
}
