package io.rlhf4j.engine.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/** {@code cuMemAlloc} / {@code cuMemFree} in one context. */
final class DriverDeviceMemory implements DeviceMemory {

    private final CudaContext context;

    DriverDeviceMemory(CudaContext context) {
        this.context = context;
    }

    @Override
    public CUdeviceptr malloc(long bytes) {
        context.makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) {
                return null;
            }
            throw e;
        }
        return p;
    }

    @Override
    public void free(CUdeviceptr pointer) {
        context.makeCurrent();
        cuMemFree(pointer);
    }

    @Override
    public MemInfo info() {
        context.makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        cuMemGetInfo(free, total);
        return new MemInfo(free[0], total[0]);
    }
}
