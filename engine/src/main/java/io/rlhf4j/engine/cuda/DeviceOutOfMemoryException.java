package io.rlhf4j.engine.cuda;

/** The device could not supply a block even after the allocator returned its cached blocks. */
public final class DeviceOutOfMemoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DeviceOutOfMemoryException(String device, long requested, long sizeClass, AllocatorStats stats,
                                      DeviceMemory.MemInfo info) {
        super("CUDA out of memory on " + device + ": cannot allocate " + mib(requested) + " (" + requested
                + " bytes, size class " + sizeClass + "); the allocator has " + mib(stats.bytesInUse()) + " in use and "
                + mib(stats.bytesReserved()) + " reserved; the device has " + mib(info.freeBytes()) + " free of "
                + mib(info.totalBytes()) + ". Reduce the batch or sequence length, or free tensors sooner.");
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) (1 << 20));
    }
}
