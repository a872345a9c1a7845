package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import io.rlhf4j.engine.cuda.DeviceScope;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.memory.MemoryScope;
import java.util.Arrays;

/**
 * Tensors over {@link DeviceBuffer}s and back, without copies: what lets {@link CudaBackend} run
 * {@code CudaRlKernels} on tensors, and what code holding raw buffers uses to join them to
 * tensors.
 */
public final class CudaTensors {

    private CudaTensors() {
    }

    /**
     * A contiguous tensor of the buffer's dtype and shape on {@code device}, taking ownership of the
     * buffer (an owning one, not a view): it leaves its {@link DeviceScope}, if any, and returns to
     * its allocator with the innermost open {@code Memory.scope()}, or once the tensor is garbage.
     */
    public static Tensor wrap(DeviceBuffer buffer, Device device) {
        return wrap(Memory.current(), buffer, device);
    }

    /** As {@link #wrap(DeviceBuffer, Device)}, owned by {@code owner} (the garbage collector when null or closed). */
    public static Tensor wrap(MemoryScope owner, DeviceBuffer buffer, Device device) {
        if (device.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("a device buffer wraps into a CUDA tensor, not one on " + device);
        }
        DeviceScope.disown(buffer);
        int[] shape = buffer.shape();
        return new Tensor(Memory.deviceStorage(owner, buffer, device), buffer.dtype(), shape,
                Shapes.contiguousStrides(shape), 0);
    }

    /**
     * The device memory of {@code t} as a buffer of its dtype and shape (a view when the tensor is
     * not its storage's whole buffer). {@code t} must be on {@code device} and contiguous: the CUDA
     * kernels read dense row-major arrays. {@code name} names the argument in errors.
     */
    public static DeviceBuffer buffer(Tensor t, String name, Device device) {
        Devices.require(t, name, device);
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(name + " on " + device + " is not contiguous (shape "
                    + Arrays.toString(t.shape()) + ", strides " + Arrays.toString(t.strides())
                    + "): the CUDA kernels need dense tensors and there is no device copy kernel yet; "
                    + "make it contiguous before moving it to the device");
        }
        DeviceBuffer base = t.storage().deviceBuffer();
        if (t.offset() == 0 && t.dtype() == base.dtype() && Arrays.equals(t.shape(), base.shape())) {
            return base;
        }
        return base.view(t.offset() * t.dtype().byteSize(), t.dtype(), t.shape());
    }
}
