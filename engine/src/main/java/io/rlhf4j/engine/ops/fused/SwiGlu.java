package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.cpu.VectorMath;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SwiGLU's gate, silu(a)·b (Shazeer 2020, "GLU Variants Improve Transformer"; Llama's MLP), as one
 * op: the forward writes only the product (no silu(a) tensor is kept), the backward reads a, b and
 * the incoming gradient once and writes both gradients. With σ = 1/(1 + e^(−a)):
 * ∂/∂a = g·b·σ·(1 + a·(1 − σ)), ∂/∂b = g·a·σ.
 *
 * <p>F32 runs on the Vector API with {@link VectorMath#exp} (bitwise the same under any JIT tier);
 * F64 (gradient checks) runs in scalar double.
 */
public final class SwiGlu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int CHUNK = 1 << 13;

    private SwiGlu() {
    }

    public static Tensor apply(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("swiglu needs gate and up of the same shape, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        DType type = a.dtype() == DType.F64 || b.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor ac = a.detach().to(type).contiguous();
        Tensor bc = b.detach().to(type).contiguous();
        Tensor out = Tensor.empty(type, a.shape());
        Tensor result = out.dtype() == a.dtype() ? out : out.to(a.dtype());
        kernel(ac, bc, null, out, null);
        return Autograd.record(result, "swiglu", g -> {
            Tensor ga = Tensor.empty(type, a.shape());
            Tensor gb = Tensor.empty(type, a.shape());
            kernel(a.detach().to(type).contiguous(), b.detach().to(type).contiguous(), g.to(type).contiguous(), ga, gb);
            return new Tensor[] {ga.to(a.dtype()), gb.to(b.dtype())};
        }, a, b);
    }

    /** Forward (g null: o = silu(a)·b) or backward (o = ∂/∂a, ob = ∂/∂b), all contiguous, one dtype. */
    private static void kernel(Tensor a, Tensor b, Tensor g, Tensor o, Tensor ob) {
        int n = Math.toIntExact(a.numel());
        boolean f64 = a.dtype() == DType.F64;
        Parallel.forRange(n, CHUNK, (i0, i1) -> {
            if (f64) {
                scalar(a, b, g, o, ob, i0, i1);
            } else {
                vector(a, b, g, o, ob, i0, i1);
            }
        });
    }

    private static void vector(Tensor a, Tensor b, Tensor g, Tensor o, Tensor ob, int i0, int i1) {
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = o.segment();
        long ao = a.offset();
        long bo = b.offset();
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int i = i0; i < i1; i += F.length()) {
            VectorMask<Float> m = F.indexInRange(i, i1);
            FloatVector x = FloatVector.fromMemorySegment(F, as, (ao + i) * 4, LE, m);
            FloatVector y = FloatVector.fromMemorySegment(F, bs, (bo + i) * 4, LE, m);
            FloatVector sig = one.div(one.add(VectorMath.exp(x.neg())));
            if (g == null) {
                x.mul(sig).mul(y).intoMemorySegment(os, (o.offset() + i) * 4L, LE, m);
            } else {
                FloatVector gv = FloatVector.fromMemorySegment(F, g.segment(), (g.offset() + i) * 4, LE, m);
                FloatVector dSilu = sig.mul(one.add(x.mul(one.sub(sig))));
                gv.mul(y).mul(dSilu).intoMemorySegment(os, (o.offset() + i) * 4L, LE, m);
                gv.mul(x.mul(sig)).intoMemorySegment(ob.segment(), (ob.offset() + i) * 4L, LE, m);
            }
        }
    }

    private static void scalar(Tensor a, Tensor b, Tensor g, Tensor o, Tensor ob, int i0, int i1) {
        for (int i = i0; i < i1; i++) {
            double x = a.segment().getAtIndex(TypedAccess.F64, a.offset() + i);
            double y = b.segment().getAtIndex(TypedAccess.F64, b.offset() + i);
            double sig = 1 / (1 + Math.exp(-x));
            if (g == null) {
                o.segment().setAtIndex(TypedAccess.F64, o.offset() + i, x * sig * y);
            } else {
                double gv = g.segment().getAtIndex(TypedAccess.F64, g.offset() + i);
                o.segment().setAtIndex(TypedAccess.F64, o.offset() + i, gv * y * sig * (1 + x * (1 - sig)));
                ob.segment().setAtIndex(TypedAccess.F64, ob.offset() + i, gv * x * sig);
            }
        }
    }
}
