package io.rlhf4j.engine.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * A region of tensor lifetimes: every tensor created while the scope is the innermost open one
 * on its thread takes pooled memory, and closing the scope returns all of it to the pool. A
 * training step wraps its forward and backward pass in one scope so memory does not grow from
 * step to step.
 */
public final class MemoryScope implements AutoCloseable {

    private final CpuMemoryPool pool;
    private final MemoryScope parent;
    private final List<Storage> storages = new ArrayList<>();
    private boolean closed;

    MemoryScope(CpuMemoryPool pool, MemoryScope parent) {
        this.pool = pool;
        this.parent = parent;
    }

    Storage allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("allocation in a closed Memory.scope()");
        }
        Storage s = new Storage(pool.acquire(Math.max(bytes, 1)), this);
        storages.add(s);
        return s;
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
            s.markReleased();
            pool.release(s.rawSegment());
        }
        storages.clear();
        Memory.pop(this);
    }
}
