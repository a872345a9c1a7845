package io.rlhf4j.engine.cuda;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A region of device-buffer lifetimes, like {@code Memory.scope()} for host tensors: every buffer
 * allocated while the scope is the innermost open one on its thread returns to its allocator's
 * cache when the scope closes. A training step wraps its device work in one scope so device
 * memory does not grow from step to step.
 *
 * <p>Tensors on a device do not use this scope: a buffer wrapped into a tensor is taken out of
 * its device scope ({@link #disown}) and belongs to the tensor's {@code Memory.scope()} instead,
 * like host memory, so one kind of scope governs every tensor.
 */
public final class DeviceScope implements AutoCloseable {

    private static final ThreadLocal<Deque<DeviceScope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    private final DeviceScope parent;
    /** Insertion-ordered, identity (DeviceBuffer keeps Object's equals): removal is O(1). */
    private final Set<DeviceBuffer> buffers = new LinkedHashSet<>();
    private boolean closed;

    private DeviceScope(DeviceScope parent) {
        this.parent = parent;
    }

    /** Opens a scope on this thread; close it (try-with-resources) to release its buffers. */
    public static DeviceScope open() {
        Deque<DeviceScope> stack = SCOPES.get();
        DeviceScope s = new DeviceScope(stack.peek());
        stack.push(s);
        return s;
    }

    /** The innermost open scope on this thread, or null. */
    public static DeviceScope current() {
        return SCOPES.get().peek();
    }

    void register(DeviceBuffer b) {
        buffers.add(b);
        b.scope = this;
    }

    /** Moves {@code b} to the enclosing scope, or to the caller (who closes it) when there is none. */
    public DeviceBuffer escape(DeviceBuffer b) {
        if (buffers.remove(b)) {
            b.scope = null;
            if (parent != null) {
                parent.register(b);
            }
        }
        return b;
    }

    /** Takes {@code b} out of the scope that would close it, if any: its new owner closes it. */
    public static DeviceBuffer disown(DeviceBuffer b) {
        DeviceScope s = b.scope;
        if (s != null) {
            s.buffers.remove(b);
            b.scope = null;
        }
        return b;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        Deque<DeviceScope> stack = SCOPES.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("device scopes must close in the reverse order they opened");
        }
        closed = true;
        stack.pop();
        for (DeviceBuffer b : buffers) {
            b.scope = null;
            b.close();
        }
        buffers.clear();
    }
}
