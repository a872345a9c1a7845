package io.rlhf4j.engine.memory;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where tensor memory comes from. Inside {@code try (var s = Memory.scope())} tensors take pooled
 * memory that returns to the pool when the scope closes; outside any scope (parameters, optimizer
 * state, long-lived results) memory is 64-byte aligned and reclaimed by the garbage collector.
 * Device tensors' buffers are owned by the same scopes ({@link #deviceStorage}).
 */
public final class Memory {

    private static final CpuMemoryPool POOL = new CpuMemoryPool();
    private static final ThreadLocal<Deque<MemoryScope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    private Memory() {
    }

    /** Opens a scope on this thread; close it (try-with-resources) to return its memory. */
    public static MemoryScope scope() {
        Deque<MemoryScope> stack = SCOPES.get();
        MemoryScope s = new MemoryScope(POOL, stack.peek());
        stack.push(s);
        return s;
    }

    /** The innermost open scope on this thread, or null. */
    public static MemoryScope current() {
        return SCOPES.get().peek();
    }

    /** Allocates in the innermost open scope, or GC-managed memory when none is open. */
    public static Storage allocate(long bytes) {
        return allocateIn(current(), bytes);
    }

    /** Allocates in {@code scope}, or GC-managed memory when {@code scope} is null. */
    public static Storage allocateIn(MemoryScope scope, long bytes) {
        if (scope != null && !scope.isClosed()) {
            return scope.allocate(bytes);
        }
        return new Storage(Arena.ofAuto().allocate(Math.max(bytes, 1), CpuMemoryPool.ALIGNMENT), null);
    }

    /**
     * Storage over device memory, owned like host memory: by {@code scope} (its buffer goes back to
     * the device allocator when the scope closes), or, when {@code scope} is null or closed, by the
     * garbage collector (the buffer goes back once the storage is unreachable; closing the buffer
     * frees it earlier). The caller hands over {@code buffer} and must not close it itself.
     */
    public static Storage deviceStorage(MemoryScope scope, DeviceBuffer buffer, Device device) {
        if (scope != null && !scope.isClosed()) {
            return scope.register(buffer, device);
        }
        Storage s = new Storage(buffer, device, null);
        DeviceCleaner.CLEANER.register(s, buffer::close);
        return s;
    }

    public static CpuMemoryPool pool() {
        return POOL;
    }

    /** Holder, so the cleaner's thread starts only once a device tensor lives outside any scope. */
    private static final class DeviceCleaner {
        static final Cleaner CLEANER = Cleaner.create();
    }

    static void pop(MemoryScope scope) {
        Deque<MemoryScope> stack = SCOPES.get();
        if (stack.peek() != scope) {
            throw new IllegalStateException("Memory scopes must close in the reverse order they opened");
        }
        stack.pop();
    }
}
