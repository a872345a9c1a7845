package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.DeviceAllocator;
import io.rlhf4j.engine.cuda.DeviceMemory;
import jcuda.driver.CUdeviceptr;

/**
 * Device tensors without a driver: an allocator over memory that hands out bare pointers and
 * counts them, so ownership and the CPU-side error paths can be tested here. Nothing can be
 * launched or copied: anything that reaches the CUDA context fails (there is none).
 */
final class FakeDevice {

    static final Device CUDA0 = new Device(Device.Kind.CUDA, 0);

    final DeviceAllocator allocator = new DeviceAllocator("fake:0", new DeviceMemory() {
        @Override
        public CUdeviceptr malloc(long bytes) {
            return new CUdeviceptr();
        }

        @Override
        public void free(CUdeviceptr pointer) {
        }

        @Override
        public MemInfo info() {
            return new MemInfo(1L << 30, 1L << 30);
        }
    });

    /** An F32 tensor of {@code shape} "on" cuda:0, owned like any new tensor (current scope, else the GC). */
    Tensor tensor(int... shape) {
        return CudaTensors.wrap(allocator.allocate(DType.F32, shape), CUDA0);
    }

    long bytesInUse() {
        return allocator.stats().bytesInUse();
    }
}
