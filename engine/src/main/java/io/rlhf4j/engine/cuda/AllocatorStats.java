package io.rlhf4j.engine.cuda;

/**
 * A snapshot of a {@link DeviceAllocator}'s counters.
 *
 * @param bytesInUse    bytes (by size class) held by live buffers
 * @param bytesReserved bytes obtained from the device: in use plus cached free blocks
 * @param allocations   requests served
 * @param hits          requests served from the cache without asking the device
 */
public record AllocatorStats(long bytesInUse, long bytesReserved, long allocations, long hits) {
}
