package io.rlhf4j.engine.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/** Launches through the driver API on one context's stream. */
final class DriverLaunchTarget implements KernelLauncher.Target {

    private final CudaContext context;
    private final CUstream stream;

    DriverLaunchTarget(CudaContext context, CUstream stream) {
        this.context = context;
        this.stream = stream;
    }

    @Override
    public void launch(KernelSignature kernel, LaunchShape shape, Object[] args) {
        context.makeCurrent();
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case null -> Pointer.to(new CUdeviceptr());
                case DeviceBuffer b -> Pointer.to(b.pointer());
                case Integer v -> Pointer.to(new int[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i].getClass());
            };
        }
        cuLaunchKernel(context.modules().function(kernel), shape.grid(), 1, 1, shape.block(), 1, 1,
                shape.sharedBytes(), stream, Pointer.to(params), null);
    }

    @Override
    public void synchronize() {
        context.makeCurrent();
        cuStreamSynchronize(stream);
    }
}
