package io.rlhf4j.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator for 64-byte-aligned native memory. Freed blocks go to a free list keyed by
 * their size class and are handed out again to the next request of the same class, so a training
 * step that allocates the same shapes every iteration stops asking the operating system for
 * memory after its first iteration.
 *
 * <p>Size classes: powers of two from 64 bytes up to 4 KiB, then eight classes per octave (every
 * eighth of a power of two), which bounds the waste at 12.5% for everything but tiny blocks. A
 * transformer's activations ([tokens, hidden] with hidden = 576 or 1536, say) are rarely a power of
 * two; rounding them to one would waste up to half of the activation memory.
 */
public final class CpuMemoryPool {

    /** Alignment of every block: one cache line, and the widest vector register. */
    public static final long ALIGNMENT = 64;
    private static final long SMALL = 4096;

    private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
    /** Every block the pool owns, by address, with the arena that frees it. */
    private final Map<Long, Arena> arenas = new HashMap<>();
    private long bytesInUse;
    private long bytesReserved;
    private long peakBytesInUse;
    private long allocations;
    private long reuses;

    static long sizeClass(long bytes) {
        if (bytes <= ALIGNMENT) {
            return ALIGNMENT;
        }
        long octave = Long.highestOneBit(bytes - 1);
        if (bytes <= SMALL) {
            return octave << 1;
        }
        long step = octave / 8;
        return (bytes + step - 1) / step * step;
    }

    synchronized MemorySegment acquire(long bytes) {
        long size = sizeClass(bytes);
        allocations++;
        ArrayDeque<MemorySegment> list = free.get(size);
        MemorySegment block = list == null ? null : list.pollFirst();
        if (block == null) {
            Arena arena = Arena.ofShared();
            try {
                block = arena.allocate(size, ALIGNMENT);
            } catch (OutOfMemoryError e) {
                arena.close();
                throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory for a tensor ("
                        + bytesInUse + " bytes in use, " + bytesReserved + " reserved by the pool)");
            }
            arenas.put(block.address(), arena);
            bytesReserved += size;
        } else {
            reuses++;
        }
        bytesInUse += size;
        peakBytesInUse = Math.max(peakBytesInUse, bytesInUse);
        return block.asSlice(0, bytes);
    }

    synchronized void release(MemorySegment slice) {
        if (!arenas.containsKey(slice.address())) {
            throw new IllegalStateException("released memory at 0x" + Long.toHexString(slice.address())
                    + " does not belong to the pool");
        }
        long size = sizeClass(slice.byteSize());
        bytesInUse -= size;
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).addFirst(slice.reinterpret(size));
    }

    /** Returns every cached free block to the operating system. */
    public synchronized void trim() {
        for (ArrayDeque<MemorySegment> list : free.values()) {
            for (MemorySegment block : list) {
                bytesReserved -= block.byteSize();
                arenas.remove(block.address()).close();
            }
        }
        free.clear();
    }

    public synchronized PoolStats stats() {
        return new PoolStats(bytesInUse, bytesReserved, allocations, reuses, peakBytesInUse);
    }

    /** Starts a new peak measurement at the bytes in use now. */
    public synchronized void resetPeak() {
        peakBytesInUse = bytesInUse;
    }

    /**
     * A snapshot of the pool's counters. Byte counts are in size classes (what the pool holds),
     * {@code peakBytesInUse} the most in use at once since the pool began or {@link #resetPeak()}.
     */
    public record PoolStats(long bytesInUse, long bytesReserved, long allocations, long reuses,
            long peakBytesInUse) {
    }
}
