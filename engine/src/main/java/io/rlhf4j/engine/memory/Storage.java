package io.rlhf4j.engine.memory;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import java.lang.foreign.MemorySegment;

/**
 * A block of memory that one or more tensors view: host memory (a {@link MemorySegment}) or,
 * for a tensor on a CUDA device, a {@link DeviceBuffer}. Storage from a {@link MemoryScope}
 * returns to its pool (host) or its device allocator (CUDA) when the scope closes; afterwards any
 * access fails loudly instead of reading recycled bytes. Storage made outside a scope is reclaimed
 * by the garbage collector; external storage (a memory-mapped file) belongs to whoever mapped it.
 *
 * <p>CPU kernels read host bytes through {@link #segment()}, which makes one check: for device
 * storage it fails with the device's name and what to do instead, so a CPU op never runs on a
 * CUDA tensor's memory, and the host path costs what it did before devices existed.
 */
public final class Storage {

    private final MemorySegment segment;
    private final DeviceBuffer buffer;
    private final Device device;
    private MemoryScope owner;
    /** The one check {@link #segment()} makes: false once released, and always for device memory. */
    private volatile boolean hostReadable;

    Storage(MemorySegment segment, MemoryScope owner) {
        this.segment = segment;
        this.buffer = null;
        this.device = Device.CPU;
        this.owner = owner;
        this.hostReadable = true;
    }

    Storage(DeviceBuffer buffer, Device device, MemoryScope owner) {
        if (device.kind() == Device.Kind.CPU) {
            throw new IllegalArgumentException("a device buffer (" + buffer + ") cannot be storage on the cpu");
        }
        this.segment = null;
        this.buffer = buffer;
        this.device = device;
        this.owner = owner;
        this.hostReadable = false;
    }

    /** Wraps memory that rlhf4j does not own, such as a slice of a memory-mapped file. */
    public static Storage external(MemorySegment segment) {
        return new Storage(segment, null);
    }

    /** The host memory; throws if the scope that owned it has closed, or if the memory is on a device. */
    public MemorySegment segment() {
        if (!hostReadable) {
            throw new IllegalStateException(noHostAccess());
        }
        return segment;
    }

    private String noHostAccess() {
        if (buffer != null) {
            return "tensor memory is on " + device + " (" + buffer + "), which CPU ops cannot read: call .to(Device.CPU) "
                    + "first, or use an op the CUDA backend implements (io.rlhf4j.engine.backend.RlF, Backend.of(device))";
        }
        return "tensor storage was used after its Memory.scope() closed; "
                + "keep tensors that must outlive a scope with Tensor.escape()";
    }

    /** True for host memory, false for device memory. */
    public boolean isHost() {
        return buffer == null;
    }

    /** Where the memory is: {@link Device#CPU} for host memory. */
    public Device device() {
        return device;
    }

    /** The device memory of device storage; throws for host storage. */
    public DeviceBuffer deviceBuffer() {
        if (buffer == null) {
            throw new IllegalStateException("host storage has no device buffer");
        }
        return buffer;
    }

    public long byteSize() {
        return buffer == null ? segment.byteSize() : buffer.byteSize();
    }

    /** The scope this storage returns to, or null when the garbage collector or a file owns it. */
    public MemoryScope owner() {
        return owner;
    }

    public boolean isReleased() {
        return buffer == null ? !hostReadable : buffer.isReleased();
    }

    void setOwner(MemoryScope scope) {
        owner = scope;
    }

    /** Marks the memory released and hands it back: host blocks to {@code pool}, device buffers to their allocator. */
    void release(CpuMemoryPool pool) {
        if (buffer == null) {
            hostReadable = false;
            pool.release(segment);
        } else {
            buffer.close();
        }
    }
}
