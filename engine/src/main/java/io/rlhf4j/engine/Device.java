package io.rlhf4j.engine;

import io.rlhf4j.engine.cuda.CudaRuntime;

/**
 * Where a tensor's memory lives. {@link #auto()} probes for CUDA once per JVM
 * ({@link CudaRuntime}) and falls back to the CPU, logging the one-line reason once.
 */
public record Device(Kind kind, int index) {

    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /** CUDA device 0 when CUDA is usable on this machine, else the CPU. */
    public static Device auto() {
        return CudaRuntime.isAvailable() ? new Device(Kind.CUDA, 0) : CPU;
    }

    /** CUDA device {@code index}; throws with the probe's reason when CUDA is unavailable. */
    public static Device cuda(int index) {
        CudaRuntime.device(index);
        return new Device(Kind.CUDA, index);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
