package io.rlhf4j.engine.cuda;

/**
 * The one place kernels are launched. Before a launch it checks the arguments against the
 * kernel's {@link KernelSignature} (count and types, released buffers) and the launch shape
 * against the kernel's rules and the device's limits; a failure of the launch itself (or, with
 * {@code checkEachLaunch}, of the kernel's execution) becomes a {@link KernelLaunchException}
 * naming the kernel and the shape.
 */
public final class KernelLauncher {

    /** Maximum threads per block on every GPU since compute capability 2.0. */
    public static final int MAX_BLOCK = 1024;
    /** Static shared memory a block may use without opting in (48 KiB). */
    public static final int MAX_SHARED = 48 * 1024;

    /** Performs a checked launch; the JCuda implementation is {@link DriverLaunchTarget}. */
    public interface Target {
        void launch(KernelSignature kernel, LaunchShape shape, Object[] args);

        /** Waits for the launched work; errors raised by the kernel surface here. */
        void synchronize();
    }

    private final Target target;
    private final boolean checkEachLaunch;

    /**
     * @param checkEachLaunch synchronize after every launch so an execution error names its kernel
     *                        (for tests and debugging: it serialises host and device)
     */
    public KernelLauncher(Target target, boolean checkEachLaunch) {
        this.target = target;
        this.checkEachLaunch = checkEachLaunch;
    }

    public void launch(KernelSignature kernel, LaunchShape shape, Object... args) {
        validate(kernel, shape, args);
        try {
            target.launch(kernel, shape, args);
            if (checkEachLaunch) {
                target.synchronize();
            }
        } catch (RuntimeException e) {
            throw new KernelLaunchException(kernel, shape, CudaRuntime.oneLine(e), e);
        }
    }

    static void validate(KernelSignature kernel, LaunchShape shape, Object[] args) {
        if (args.length != kernel.params().size()) {
            throw new KernelLaunchException(kernel, shape, "expects " + kernel.params().size() + " arguments "
                    + kernel.params() + ", got " + args.length, null);
        }
        for (int i = 0; i < args.length; i++) {
            ParamType type = kernel.params().get(i);
            if (!type.accepts(args[i])) {
                String got = args[i] == null ? "null" : args[i].getClass().getSimpleName();
                throw new KernelLaunchException(kernel, shape, "argument " + i + " must be " + type + ", got " + got, null);
            }
            if (args[i] instanceof DeviceBuffer b && b.isReleased()) {
                throw new KernelLaunchException(kernel, shape, "argument " + i + " is a released device buffer", null);
            }
        }
        String bad = shapeProblem(kernel, shape);
        if (bad != null) {
            throw new KernelLaunchException(kernel, shape, bad, null);
        }
    }

    private static String shapeProblem(KernelSignature kernel, LaunchShape shape) {
        if (shape.grid() < 1) {
            return "grid must be at least 1";
        }
        if (kernel.singleBlock() && shape.grid() != 1) {
            return "this kernel runs as exactly one block";
        }
        if (kernel.fixedBlock() > 0 && shape.block() != kernel.fixedBlock()) {
            return "block must be exactly " + kernel.fixedBlock() + " threads";
        }
        if (shape.block() < 32 || shape.block() > MAX_BLOCK || shape.block() % 32 != 0) {
            return "block must be a multiple of 32 in [32, " + MAX_BLOCK + "]";
        }
        if (shape.sharedBytes() < 0 || shape.sharedBytes() > MAX_SHARED) {
            return "dynamic shared memory must be in [0, " + MAX_SHARED + "] bytes";
        }
        return null;
    }
}
