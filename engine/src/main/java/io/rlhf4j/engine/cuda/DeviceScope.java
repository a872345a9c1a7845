package io.rlhf4j.engine.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A region of device-buffer lifetimes, like {@code Memory.scope()} for host tensors: every buffer
 * allocated while the scope is the innermost open one on its thread returns to its allocator's
 * cache when the scope closes. A training step wraps its device work in one scope so device
 * memory does not grow from step to step.
 */
public final class DeviceScope implements AutoCloseable {

    private static final ThreadLocal<Deque<DeviceScope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    private final DeviceScope parent;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
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
    }

    /** Moves {@code b} to the enclosing scope, or to the caller (who closes it) when there is none. */
    public DeviceBuffer escape(DeviceBuffer b) {
        if (buffers.remove(b) && parent != null) {
            parent.register(b);
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
            b.close();
        }
        buffers.clear();
    }
}
