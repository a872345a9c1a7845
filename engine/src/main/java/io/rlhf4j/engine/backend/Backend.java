package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.MemoryScope;
import io.rlhf4j.engine.rl.RlKernels;

/**
 * The only seam between math and hardware: the primitive kernels the RL losses use, over tensors
 * that live on {@link #device()}. {@link CpuBackend} runs the CPU twins ({@code rl.CpuRlKernels});
 * {@link CudaBackend} launches the PTX kernels ({@code cuda.CudaRlKernels}) on device tensors,
 * without copies. Autograd sits above both ({@link RlF}): each differentiable function records
 * one node whose backward calls the same backend's backward kernel.
 *
 * <p>The kernel methods are those of {@link RlKernels} with the conventions documented there;
 * every tensor argument must be on this backend's device (a CUDA backend also needs it
 * contiguous), and results are on it too. The three copy methods are what autograd and
 * {@link Tensor#to(io.rlhf4j.engine.Device)} need besides the kernels.
 */
public interface Backend extends RlKernels<Tensor> {

    /** The device this backend computes on. */
    Device device();

    /** A copy of host tensor {@code t} on this device (contiguous); on the CPU, {@code t} itself. */
    Tensor fromHost(Tensor t);

    /** A host copy of {@code t}, which lives on this device (contiguous); on the CPU, {@code t} itself. */
    Tensor toHost(Tensor t);

    /**
     * A contiguous copy of {@code t} (on this device) whose memory belongs to {@code owner}, or to
     * the garbage collector when {@code owner} is null or closed: leaf gradients and
     * {@link Tensor#escape()} outlive the scope they were computed in this way.
     */
    Tensor copy(Tensor t, MemoryScope owner);

    /**
     * The backend of {@code device}: the CPU, or the CUDA device's (its context is created on first
     * use; throws with the CUDA probe's one-line reason when CUDA is unavailable). For
     * {@code Backend.of(Device.auto())} on a machine without a driver this is the CPU backend, and
     * the probe has logged its reason once ({@link CpuBackend#toString()} repeats it).
     */
    static Backend of(Device device) {
        return switch (device.kind()) {
            case CPU -> CpuBackend.INSTANCE;
            case CUDA -> CudaBackend.get(device.index());
        };
    }
}
