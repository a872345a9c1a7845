package io.rlhf4j.engine.memory;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A region of tensor lifetimes: every tensor created while the scope is the innermost open one
 * on its thread takes pooled memory, and closing the scope returns all of it to the pool. A
 * training step wraps its forward and backward pass in one scope so memory does not grow from
 * step to step. Device tensors follow the same rule: their buffers go back to the device
 * allocator when the scope that was innermost at their creation closes.
 */
public final class MemoryScope implements AutoCloseable {

    private final CpuMemoryPool pool;
    private final MemoryScope parent;
    /** Insertion-ordered (identity: Storage keeps Object's equals), so removal is O(1). */
    private final Set<Storage> storages = new LinkedHashSet<>();
    private boolean closed;

    MemoryScope(CpuMemoryPool pool, MemoryScope parent) {
        this.pool = pool;
        this.parent = parent;
    }

    /** Takes ownership of device memory: it returns to its allocator when this scope closes. */
    Storage register(DeviceBuffer buffer, Device device) {
        if (closed) {
            throw new IllegalStateException("allocation in a closed Memory.scope()");
        }
        Storage s = new Storage(buffer, device, this);
        storages.add(s);
        return s;
    }

    Storage allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("allocation in a closed Memory.scope()");
        }
        Storage s = new Storage(pool.acquire(Math.max(bytes, 1)), this);
        storages.add(s);
        return s;
    }

    /**
     * Takes over {@code storage} from the open scope that owns it, without copying: it now returns
     * to the pool when this scope closes (or is freed early with {@link #free}), no longer when its
     * old scope closes. Lets a nested scope hand a result to an enclosing one, as autograd does with
     * the gradients each node's backward returns.
     */
    public void adopt(Storage storage) {
        MemoryScope from = storage.owner();
        if (closed) {
            throw new IllegalStateException("adopt into a closed Memory.scope()");
        }
        if (from == this) {
            return;
        }
        if (from == null || from.closed || storage.isReleased() || !from.storages.remove(storage)) {
            throw new IllegalStateException("adopt needs storage owned by an open Memory.scope(); this one is "
                    + (from == null ? "not pooled" : "already released"));
        }
        storage.setOwner(this);
        storages.add(storage);
    }

    /**
     * Returns {@code storage}, owned by this scope, to the pool now instead of at {@link #close()}.
     * The caller promises nothing reads it again; a later access through any tensor viewing it fails
     * loudly (as after a scope closes) rather than reading recycled bytes.
     */
    public void free(Storage storage) {
        if (storage.owner() != this || !storages.remove(storage)) {
            throw new IllegalStateException("free of storage that this Memory.scope() does not own");
        }
        storage.release(pool);
    }

    /** The scope that was innermost when this one opened, or null for the outermost. */
    public MemoryScope parent() {
        return parent;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Storage s : storages) {
            s.release(pool);
        }
        storages.clear();
        Memory.pop(this);
    }
}
