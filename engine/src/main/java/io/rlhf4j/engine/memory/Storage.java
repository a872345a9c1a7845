package io.rlhf4j.engine.memory;

import java.lang.foreign.MemorySegment;

/**
 * A block of native memory that one or more tensors view. Storage from a {@link MemoryScope}
 * returns to the pool when the scope closes; afterwards any access fails loudly instead of
 * reading recycled bytes. Storage made outside a scope is reclaimed by the garbage collector;
 * external storage (a memory-mapped file) belongs to whoever mapped it.
 */
public final class Storage {

    private final MemorySegment segment;
    private MemoryScope owner;
    private volatile boolean released;

    Storage(MemorySegment segment, MemoryScope owner) {
        this.segment = segment;
        this.owner = owner;
    }

    /** Wraps memory that rlhf4j does not own, such as a slice of a memory-mapped file. */
    public static Storage external(MemorySegment segment) {
        return new Storage(segment, null);
    }

    /** The memory; throws if the scope that owned it has closed. */
    public MemorySegment segment() {
        if (released) {
            throw new IllegalStateException("tensor storage was used after its Memory.scope() closed; "
                    + "keep tensors that must outlive a scope with Tensor.escape()");
        }
        return segment;
    }

    public long byteSize() {
        return segment.byteSize();
    }

    /** The scope this storage returns to, or null when the garbage collector or a file owns it. */
    public MemoryScope owner() {
        return owner;
    }

    public boolean isReleased() {
        return released;
    }

    void setOwner(MemoryScope scope) {
        owner = scope;
    }

    void markReleased() {
        released = true;
    }

    MemorySegment rawSegment() {
        return segment;
    }
}
