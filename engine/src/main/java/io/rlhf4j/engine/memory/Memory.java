package io.rlhf4j.engine.memory;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where tensor memory comes from. Inside {@code try (var s = Memory.scope())} tensors take pooled
 * memory that returns to the pool when the scope closes; outside any scope (parameters, optimizer
 * state, long-lived results) memory is 64-byte aligned and reclaimed by the garbage collector.
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

    public static CpuMemoryPool pool() {
        return POOL;
    }

    static void pop(MemoryScope scope) {
        Deque<MemoryScope> stack = SCOPES.get();
        if (stack.peek() != scope) {
            throw new IllegalStateException("Memory scopes must close in the reverse order they opened");
        }
        stack.pop();
    }
}
