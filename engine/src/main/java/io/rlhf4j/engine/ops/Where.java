package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * {@code where(cond, a, b)} and {@code maskedFill}: elementwise selection with broadcasting. A
 * condition is true where it is non-zero (BOOL masks, or any numeric tensor). The gradient flows
 * to whichever operand was selected. Floating-point results are computed in F32 (F64 when an
 * operand is F64); two integer operands of one dtype keep it.
 */
public final class Where {

    private Where() {
    }

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(cond.shape(), Shapes.broadcast(a.shape(), b.shape()));
        boolean integral = a.dtype() == b.dtype() && !a.dtype().isFloatingPoint();
        DType type = integral ? a.dtype() : Elementwise.computeType(a.dtype(), b.dtype());
        Tensor out = Tensor.empty(type, shape);
        select(cond, a.to(type), b.to(type), out);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Autograd.record(out, "where", g -> {
            Tensor zero = Tensor.zeros(g.dtype());
            return new Tensor[] {null,
                where(cond, g, zero).sumTo(aShape).to(a.dtype()),
                where(cond, zero, g).sumTo(bShape).to(b.dtype())};
        }, cond, a, b);
    }

    /** {@code x} with {@code value} wherever {@code mask} (broadcast to x's shape) is true. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        int[] shape = x.shape();
        if (!Arrays.equals(Shapes.broadcast(shape, mask.shape()), shape)) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Arrays.toString(mask.shape())
                    + " does not broadcast to the tensor's shape " + Arrays.toString(shape));
        }
        DType type = x.dtype().isFloatingPoint() ? Elementwise.computeType(x.dtype(), x.dtype()) : x.dtype();
        Tensor out = Tensor.empty(type, shape);
        select(mask, Tensor.full(value, type), x.to(type), out);
        return Autograd.record(out, "masked_fill", g -> new Tensor[] {
            where(mask, Tensor.zeros(g.dtype()), g).to(x.dtype()), null}, x, mask);
    }

    /** out = cond ? a : b, all broadcast to out's shape; a and b already have out's dtype. */
    private static void select(Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        Tensor ec = cond.detach().expand(shape);
        Tensor ea = a.detach().expand(shape);
        Tensor eb = b.detach().expand(shape);
        long[] cs = ec.strides();
        long[] as = ea.strides();
        long[] bs = eb.strides();
        long cStep = StridedRows.rowStride(cs);
        long aStep = StridedRows.rowStride(as);
        long bStep = StridedRows.rowStride(bs);
        int len = StridedRows.rowLength(shape);
        DType ct = cond.dtype();
        DType type = out.dtype();
        MemorySegment sc = ec.segment();
        MemorySegment sa = ea.segment();
        MemorySegment sb = eb.segment();
        MemorySegment so = out.segment();
        Parallel.forRange(Math.toIntExact(StridedRows.rows(shape)), Math.max(1, 16384 / Math.max(1, len)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long co = StridedRows.rowStart(shape, cs, ec.offset(), r);
                long ao = StridedRows.rowStart(shape, as, ea.offset(), r);
                long bo = StridedRows.rowStart(shape, bs, eb.offset(), r);
                long oo = r * len;
                for (int i = 0; i < len; i++) {
                    boolean c = TypedAccess.get(sc, ct, co + i * cStep) != 0;
                    copyElement(c ? sa : sb, c ? ao + i * aStep : bo + i * bStep, so, oo + i, type);
                }
            }
        });
    }

    /** Copies one element bit-exactly (so ±0, NaN payloads and 64-bit ids survive). */
    static void copyElement(MemorySegment src, long srcIndex, MemorySegment dst, long dstIndex, DType type) {
        switch (type.byteSize()) {
            case 8 -> dst.setAtIndex(TypedAccess.I64, dstIndex, src.getAtIndex(TypedAccess.I64, srcIndex));
            case 4 -> dst.setAtIndex(TypedAccess.I32, dstIndex, src.getAtIndex(TypedAccess.I32, srcIndex));
            case 2 -> dst.setAtIndex(TypedAccess.I16, dstIndex, src.getAtIndex(TypedAccess.I16, srcIndex));
            default -> dst.setAtIndex(ValueLayout.JAVA_BYTE, dstIndex,
                    src.getAtIndex(ValueLayout.JAVA_BYTE, srcIndex));
        }
    }
}
