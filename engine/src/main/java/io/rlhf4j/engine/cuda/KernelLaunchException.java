package io.rlhf4j.engine.cuda;

/** A kernel launch that was refused or failed, naming the kernel and its launch shape. */
public final class KernelLaunchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KernelLaunchException(KernelSignature kernel, LaunchShape shape, String problem, Throwable cause) {
        super(kernel.module() + ".ptx:" + kernel.name() + " [" + shape + "]: " + problem, cause);
    }
}
