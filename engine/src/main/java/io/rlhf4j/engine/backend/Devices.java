package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.memory.MemoryScope;

/** Moving tensors between devices, and the device checks every backend function makes. */
public final class Devices {

    private Devices() {
    }

    /**
     * {@code t} on {@code target}: {@code t} itself when already there, else a contiguous copy
     * ({@link Backend#fromHost} / {@link Backend#toHost}; CUDA to another CUDA device goes through
     * the host). Recorded for autograd: the gradient is copied back to {@code t}'s device, so a CPU
     * leaf moved to a GPU receives its gradient on the CPU.
     */
    public static Tensor to(Tensor t, Device target) {
        Device from = t.device();
        if (from.equals(target)) {
            return t;
        }
        Tensor src = t.detach();
        Tensor out;
        if (from.kind() == Device.Kind.CPU) {
            out = Backend.of(target).fromHost(src);
        } else if (target.kind() == Device.Kind.CPU) {
            out = Backend.of(from).toHost(src);
        } else {
            out = Backend.of(target).fromHost(Backend.of(from).toHost(src));
        }
        return Autograd.record(out, "to_" + target, g -> new Tensor[] {g.to(from)}, t);
    }

    /**
     * The one device all non-null {@code tensors} are on (the CPU when all are null); otherwise an
     * error naming two arguments and their devices. {@code names} lists the arguments' names,
     * comma-separated, in order.
     */
    public static Device common(String names, Tensor... tensors) {
        Device device = null;
        int first = -1;
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] == null) {
                continue;
            }
            if (device == null) {
                device = tensors[i].device();
                first = i;
            } else if (!tensors[i].device().equals(device)) {
                String[] n = names.split(",\\s*");
                throw new IllegalArgumentException(name(n, i) + " is on " + tensors[i].device() + " but " + name(n, first)
                        + " is on " + device + ": all inputs must be on one device (move them with Tensor.to(Device))");
            }
        }
        return device == null ? Device.CPU : device;
    }

    /**
     * The gradient a leaf on a device keeps after receiving {@code g}: a copy of {@code g} in the
     * leaf's scope (or garbage-collected memory), as host leaves do. A second gradient would need a
     * device add kernel, which the CUDA backend does not have yet: that is an error saying so.
     */
    public static Tensor leafGradient(Tensor leaf, Tensor current, Tensor g) {
        if (current != null) {
            throw new UnsupportedOperationException("a second gradient reached the " + leaf.device() + " leaf " + leaf
                    + ": summing gradients on a device needs an elementwise add kernel, which the CUDA backend does not "
                    + "have yet; call clearGrad() before each backward(), or keep the leaf on the cpu and use "
                    + "leaf.to(device) in the graph (its backward brings the gradient back to the cpu)");
        }
        if (g.dtype() != leaf.dtype()) {
            throw new IllegalArgumentException("gradient " + g + " for the " + leaf.device() + " leaf " + leaf
                    + " has another dtype, and there is no device conversion kernel");
        }
        MemoryScope owner = leaf.storage().owner();
        return Backend.of(leaf.device()).copy(g.to(leaf.device()), owner == null || owner.isClosed() ? null : owner);
    }

    /** Fails unless {@code t} is on {@code device}, naming the argument. */
    static void require(Tensor t, String name, Device device) {
        if (!t.device().equals(device)) {
            throw new IllegalArgumentException(name + " is on " + t.device() + ", expected " + device
                    + ": move it with Tensor.to(Device)");
        }
    }

    private static String name(String[] names, int i) {
        return i < names.length ? names[i] : "argument " + i;
    }
}
