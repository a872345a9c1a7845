package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/** dtype conversion; differentiable between floating-point types (the gradient converts back). */
public final class Conversions {

    private Conversions() {
    }

    public static Tensor to(Tensor x, DType target) {
        if (x.dtype() == target) {
            return x;
        }
        Tensor src = x.contiguous();
        Tensor out = Tensor.empty(target, x.shape());
        MemorySegment s = src.segment();
        MemorySegment d = out.segment();
        DType from = x.dtype();
        long base = src.offset();
        boolean integral = !from.isFloatingPoint() && !target.isFloatingPoint();
        Parallel.forRange(Math.toIntExact(x.numel()), 1 << 14, (i0, i1) -> {
            if (from == DType.BF16 && target == DType.F32) {
                for (int i = i0; i < i1; i++) {
                    d.setAtIndex(TypedAccess.F32, i, TypedAccess.bf16ToFloat(s.getAtIndex(TypedAccess.I16, base + i)));
                }
            } else if (from == DType.F32 && target == DType.BF16) {
                for (int i = i0; i < i1; i++) {
                    d.setAtIndex(TypedAccess.I16, i, TypedAccess.floatToBf16(s.getAtIndex(TypedAccess.F32, base + i)));
                }
            } else if (integral) {
                for (int i = i0; i < i1; i++) {
                    TypedAccess.setLong(d, target, i, TypedAccess.getLong(s, from, base + i));
                }
            } else {
                for (int i = i0; i < i1; i++) {
                    TypedAccess.set(d, target, i, TypedAccess.get(s, from, base + i));
                }
            }
        });
        if (from.isFloatingPoint() && target.isFloatingPoint()) {
            Autograd.record(out, "to", g -> new Tensor[] {g.to(from)}, x);
        }
        return out;
    }
}
