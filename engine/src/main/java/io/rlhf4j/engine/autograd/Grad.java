package io.rlhf4j.engine.autograd;

/**
 * Switches graph recording on this thread. {@code try (var g = Grad.disabled()) { ... }} runs
 * reference models, generation and evaluation without building a graph (torch.no_grad()).
 */
public final class Grad implements AutoCloseable {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private final boolean previous;

    private Grad(boolean enabled) {
        boolean[] flag = ENABLED.get();
        previous = flag[0];
        flag[0] = enabled;
    }

    public static Grad disabled() {
        return new Grad(false);
    }

    public static Grad enabled() {
        return new Grad(true);
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    @Override
    public void close() {
        ENABLED.get()[0] = previous;
    }
}
