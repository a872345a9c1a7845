package io.rlhf4j.nn;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import java.util.Arrays;

/**
 * A trainable tensor owned by a {@link Module}. Its memory is long-lived: it is allocated outside
 * any {@link Memory#scope()} (GC-managed), whatever scope is open when the parameter is created,
 * so closing a step's scope never frees a weight. The tensor is a leaf that requires grad.
 *
 * <p>Two modules that register the same Parameter object share it (tied embeddings).
 */
public final class Parameter {

    private final Tensor data;

    private Parameter(Tensor data) {
        this.data = data;
        data.requiresGrad(true);
    }

    /** A zero-filled parameter in long-lived memory. */
    public static Parameter zeros(DType dtype, int... shape) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("parameters must be floating point, got " + dtype);
        }
        Tensor t = new Tensor(Memory.allocateIn(null, Shapes.numel(shape) * dtype.byteSize()), dtype, shape.clone(),
                Shapes.contiguousStrides(shape), 0);
        t.segment().fill((byte) 0);
        return new Parameter(t);
    }

    /** A parameter holding a copy of {@code values} converted to {@code dtype}. */
    public static Parameter copyOf(Tensor values, DType dtype) {
        Parameter p = zeros(dtype, values.shape());
        p.load(values);
        return p;
    }

    /** The tensor to compute with (a leaf requiring grad). */
    public Tensor tensor() {
        return data;
    }

    public int[] shape() {
        return data.shape();
    }

    public DType dtype() {
        return data.dtype();
    }

    public long numel() {
        return data.numel();
    }

    /**
     * Copies {@code source} (any floating dtype; BF16/F16 widen exactly to F32) into this
     * parameter's own memory, so the source (for example a read-only memory-mapped file) may go away.
     */
    public void load(Tensor source) {
        if (!Arrays.equals(source.shape(), data.shape())) {
            throw new IllegalArgumentException("shape mismatch: expected " + Arrays.toString(data.shape()) + ", got "
                    + Arrays.toString(source.shape()));
        }
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            data.detach().copyFrom(source.detach());
        }
    }

    @Override
    public String toString() {
        return "Parameter" + Arrays.toString(data.shape()) + " " + data.dtype();
    }
}
