package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Elementwise comparisons and logical operations with broadcasting, giving BOOL tensors (one
 * byte, 0 or 1). Not differentiable. Integer operands compare exactly as longs; otherwise values
 * compare as doubles with IEEE rules (NaN is unequal to everything, so only NE is true for it).
 */
public final class Comparisons {

    /** A comparison, or a logical operation on the truth values (non-zero = true) of its operands. */
    public enum Op {
        EQ, NE, LT, LE, GT, GE, AND, OR;

        boolean test(double a, double b) {
            return switch (this) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case LE -> a <= b;
                case GT -> a > b;
                case GE -> a >= b;
                case AND -> a != 0 && b != 0;
                case OR -> a != 0 || b != 0;
            };
        }

        boolean test(long a, long b) {
            return switch (this) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case LE -> a <= b;
                case GT -> a > b;
                case GE -> a >= b;
                case AND -> a != 0 && b != 0;
                case OR -> a != 0 || b != 0;
            };
        }
    }

    private Comparisons() {
    }

    public static Tensor compare(Tensor a, Tensor b, Op op) {
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        Tensor ea = a.detach().expand(shape);
        Tensor eb = b.detach().expand(shape);
        Tensor out = Tensor.empty(DType.BOOL, shape);
        boolean exact = !a.dtype().isFloatingPoint() && !b.dtype().isFloatingPoint();
        long[] as = ea.strides();
        long[] bs = eb.strides();
        long aStep = StridedRows.rowStride(as);
        long bStep = StridedRows.rowStride(bs);
        int len = StridedRows.rowLength(shape);
        MemorySegment sa = ea.segment();
        MemorySegment sb = eb.segment();
        MemorySegment so = out.segment();
        DType ta = a.dtype();
        DType tb = b.dtype();
        Parallel.forRange(Math.toIntExact(StridedRows.rows(shape)), Math.max(1, 16384 / Math.max(1, len)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long ao = StridedRows.rowStart(shape, as, ea.offset(), r);
                long bo = StridedRows.rowStart(shape, bs, eb.offset(), r);
                long oo = r * len;
                for (int i = 0; i < len; i++) {
                    boolean v = exact
                            ? op.test(TypedAccess.getLong(sa, ta, ao + i * aStep), TypedAccess.getLong(sb, tb, bo + i * bStep))
                            : op.test(TypedAccess.get(sa, ta, ao + i * aStep), TypedAccess.get(sb, tb, bo + i * bStep));
                    so.set(ValueLayout.JAVA_BYTE, oo + i, v ? (byte) 1 : (byte) 0);
                }
            }
        });
        return out;
    }

    /** Compares against a scalar; integer tensors compare exactly when the scalar is integral. */
    public static Tensor compare(Tensor a, double b, Op op) {
        boolean integral = !a.dtype().isFloatingPoint() && b == Math.rint(b) && Math.abs(b) < 0x1p62;
        Tensor scalar = integral ? Tensor.ofLongs(new long[] {(long) b}) : Tensor.of(new double[] {b});
        return compare(a, scalar, op);
    }

    /** True where {@code a} is zero. */
    public static Tensor logicalNot(Tensor a) {
        return compare(a, Tensor.ofLongs(new long[] {0}), Op.EQ);
    }
}
