package io.rlhf4j.merging;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Checks that state dicts can be merged, and moves tensors to and from flat F32 arrays. */
final class StateDicts {

    private StateDicts() {
    }

    /**
     * Fails unless {@code other} has exactly the parameters of {@code reference} with the same
     * shapes and dtypes; the message names {@code label} and the parameters at fault.
     */
    static void requireCompatible(Map<String, Tensor> reference, Map<String, Tensor> other, String referenceLabel,
            String label) {
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        reference.forEach((name, t) -> {
            Tensor o = other.get(name);
            if (o == null) {
                missing.add(name);
            } else if (!Arrays.equals(o.shape(), t.shape())) {
                mismatched.add(name + " has shape " + Arrays.toString(o.shape()) + " where " + referenceLabel + " has "
                        + Arrays.toString(t.shape()));
            } else if (o.dtype() != t.dtype()) {
                mismatched.add(name + " is " + o.dtype() + " where " + referenceLabel + " is " + t.dtype());
            }
        });
        List<String> unexpected = new ArrayList<>(new TreeSet<>(other.keySet()));
        unexpected.removeAll(reference.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder(label + " cannot be merged with " + referenceLabel + ":");
            if (!missing.isEmpty()) {
                sb.append(" missing parameters ").append(missing).append(';');
            }
            if (!unexpected.isEmpty()) {
                sb.append(" parameters not in ").append(referenceLabel).append(' ').append(unexpected).append(';');
            }
            for (String m : mismatched) {
                sb.append(' ').append(m).append(';');
            }
            throw new IllegalArgumentException(sb.substring(0, sb.length() - 1));
        }
        reference.forEach((name, t) -> {
            if (!t.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("parameter " + name + " is " + t.dtype()
                        + "; only floating-point tensors can be merged");
            }
        });
    }

    /** The values of {@code t} as F32 (BF16/F16 widen exactly). */
    static float[] floats(Tensor t) {
        return t.dtype() == DType.F32 ? t.toFloatArray() : t.to(DType.F32).toFloatArray();
    }

    /** {@code values} shaped like {@code like}, in its dtype. */
    static Tensor tensorLike(float[] values, Tensor like) {
        Tensor out = Tensor.of(values, like.shape());
        return like.dtype() == DType.F32 ? out : out.to(like.dtype());
    }
}
