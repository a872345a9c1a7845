package io.rlhf4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdeviceptr;

/** Device memory with a capacity and no device: pointers are fresh null pointers, counted. */
final class FakeDeviceMemory implements DeviceMemory {

    final long capacity;
    long used;
    final List<Long> mallocs = new ArrayList<>();
    int frees;

    FakeDeviceMemory(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public CUdeviceptr malloc(long bytes) {
        if (used + bytes > capacity) {
            return null;
        }
        used += bytes;
        mallocs.add(bytes);
        return new Sized(bytes);
    }

    @Override
    public void free(CUdeviceptr pointer) {
        used -= ((Sized) pointer).bytes;
        frees++;
    }

    @Override
    public MemInfo info() {
        return new MemInfo(capacity - used, capacity);
    }

    /** A pointer that remembers its size so free can give it back. */
    static final class Sized extends CUdeviceptr {
        final long bytes;

        Sized(long bytes) {
            this.bytes = bytes;
        }
    }
}
