package io.rlhf4j.engine.cuda;

import jcuda.driver.CUdeviceptr;

/** Raw device memory as the allocator sees it; {@link DriverDeviceMemory} is the CUDA one. */
public interface DeviceMemory {

    /** A fresh block of {@code bytes}, or null when the device is out of memory. */
    CUdeviceptr malloc(long bytes);

    void free(CUdeviceptr pointer);

    /** The device's free and total bytes ({@code cuMemGetInfo}). */
    MemInfo info();

    record MemInfo(long freeBytes, long totalBytes) {
    }
}
