package io.rlhf4j.engine;

/**
 * Where a tensor's memory lives. Only the CPU exists until the CUDA backend lands; then
 * {@link #auto()} probes for a GPU once and falls back to the CPU with a one-line reason.
 */
public record Device(Kind kind, int index) {

    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /** The best device on this machine; the CPU while no GPU backend is built in. */
    public static Device auto() {
        return CPU;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
