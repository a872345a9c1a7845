package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * Elementwise arithmetic with NumPy broadcasting. Kernels run in the compute dtype (F64 when any
 * operand is F64, else F32; BF16/F16/integer operands are widened first) over rows of the last
 * dimension, split across the CPU workers; each output element is written by exactly one worker.
 */
public final class Elementwise {

    /**
     * Binary operations. MAX_GRAD_SHARE (the share of a max's gradient that goes to a: 1, ½ on a
     * tie, 0) and EQ (1 where equal) are not differentiable; backward passes use them.
     */
    public enum BinaryOp { ADD, SUB, MUL, DIV, MAX, MIN, MAX_GRAD_SHARE, EQ }

    /** Unary functions with their derivative written in terms of the input x and output y. */
    public enum UnaryOp {
        EXP, LOG, LOG1P, SQRT, RSQRT, ABS, TANH, SIGMOID, LOGSIGMOID, SOFTPLUS, RELU, SILU, GELU, GELU_TANH;

        private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
        private static final double INV_SQRT_2 = 1 / Math.sqrt(2);
        private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

        double apply(double x) {
            return switch (this) {
                case EXP -> Math.exp(x);
                case LOG -> Math.log(x);
                case LOG1P -> Math.log1p(x);
                case SQRT -> Math.sqrt(x);
                case RSQRT -> 1 / Math.sqrt(x);
                case ABS -> Math.abs(x);
                case TANH -> Math.tanh(x);
                case SIGMOID -> sigmoid(x);
                case LOGSIGMOID -> -softplus(-x);
                case SOFTPLUS -> softplus(x);
                case RELU -> x > 0 ? x : 0;
                case SILU -> x * sigmoid(x);
                case GELU -> 0.5 * x * (1 + SpecialFunctions.erf(x * INV_SQRT_2));
                case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            };
        }

        double derivative(double x, double y) {
            return switch (this) {
                case EXP -> y;
                case LOG -> 1 / x;
                case LOG1P -> 1 / (1 + x);
                case SQRT -> 0.5 / y;
                case RSQRT -> -0.5 * y * y * y;
                case ABS -> Math.signum(x);
                case TANH -> 1 - y * y;
                case SIGMOID -> y * (1 - y);
                case LOGSIGMOID -> sigmoid(-x);
                case SOFTPLUS -> sigmoid(x);
                case RELU -> x > 0 ? 1 : 0;
                case SILU -> {
                    double s = sigmoid(x);
                    yield s * (1 + x * (1 - s));
                }
                case GELU -> 0.5 * (1 + SpecialFunctions.erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
                case GELU_TANH -> {
                    double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                    double t = Math.tanh(inner);
                    yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
                }
            };
        }

        static double sigmoid(double x) {
            if (x >= 0) {
                return 1 / (1 + Math.exp(-x));
            }
            double e = Math.exp(x);
            return e / (1 + e);
        }

        /** log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}), exact for large |x|. */
        static double softplus(double x) {
            return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
        }
    }

    private Elementwise() {
    }

    /** F64 if either operand is F64, otherwise F32. */
    public static DType computeType(DType a, DType b) {
        return a == DType.F64 || b == DType.F64 ? DType.F64 : DType.F32;
    }

    public static Tensor binary(Tensor a, Tensor b, BinaryOp op) {
        DType type = computeType(a.dtype(), b.dtype());
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        Tensor out = Tensor.empty(type, shape);
        binaryInto(a.to(type), b.to(type), op, out);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        DType aType = a.dtype();
        DType bType = b.dtype();
        return Autograd.record(out, op.name().toLowerCase(), g -> {
            Tensor ga;
            Tensor gb;
            switch (op) {
                case ADD -> {
                    ga = g;
                    gb = g;
                }
                case SUB -> {
                    ga = g;
                    gb = g.neg();
                }
                case MUL -> {
                    ga = g.mul(b);
                    gb = g.mul(a);
                }
                case DIV -> {
                    ga = g.div(b);
                    gb = g.mul(a).div(b.square()).neg();
                }
                case MAX, MIN -> {
                    Tensor share = op == BinaryOp.MAX ? binary(a, b, BinaryOp.MAX_GRAD_SHARE)
                            : binary(b, a, BinaryOp.MAX_GRAD_SHARE);
                    ga = g.mul(share);
                    gb = g.mul(share.rsub(1));
                }
                default -> throw new IllegalStateException(op + " is not differentiable");
            }
            return new Tensor[] {ga.sumTo(aShape).to(aType), gb.sumTo(bShape).to(bType)};
        }, a, b);
    }

    /** {@code dst += src} with {@code src} broadcast to dst's shape; no autograd. */
    public static void addInPlace(Tensor dst, Tensor src) {
        if (dst.dtype() != DType.F32 && dst.dtype() != DType.F64) {
            throw new UnsupportedOperationException("in-place add into " + dst.dtype() + " tensors");
        }
        binaryInto(dst, src.to(dst.dtype()), BinaryOp.ADD, dst);
    }

    /** Writes op(a, b) into {@code out}; a and b are broadcast to out's shape and share its dtype. */
    static void binaryInto(Tensor a, Tensor b, BinaryOp op, Tensor out) {
        int[] shape = out.shape();
        Tensor ea = a.detach().expand(shape);
        Tensor eb = b.detach().expand(shape);
        long rows = StridedRows.rows(shape);
        int len = StridedRows.rowLength(shape);
        long[] as = ea.strides();
        long[] bs = eb.strides();
        long[] os = out.strides();
        long aStep = StridedRows.rowStride(as);
        long bStep = StridedRows.rowStride(bs);
        long oStep = StridedRows.rowStride(os);
        MemorySegment sa = ea.segment();
        MemorySegment sb = eb.segment();
        MemorySegment so = out.segment();
        boolean f64 = out.dtype() == DType.F64;
        if (rows == 1 && aStep == 1 && bStep == 1 && oStep == 1 && len > 1 << 15) {
            Parallel.forRange(len, 1 << 14, (i0, i1) -> {
                long base = i0;
                int n = i1 - i0;
                if (f64) {
                    BinaryKernels.rowF64(op, sa, ea.offset() + base, 1, sb, eb.offset() + base, 1, so, out.offset() + base, 1, n);
                } else {
                    BinaryKernels.rowF32(op, sa, ea.offset() + base, 1, sb, eb.offset() + base, 1, so, out.offset() + base, 1, n);
                }
            });
            return;
        }
        Parallel.forRange(Math.toIntExact(rows), Math.max(1, 16384 / Math.max(1, len)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long ao = StridedRows.rowStart(shape, as, ea.offset(), r);
                long bo = StridedRows.rowStart(shape, bs, eb.offset(), r);
                long oo = StridedRows.rowStart(shape, os, out.offset(), r);
                if (f64) {
                    BinaryKernels.rowF64(op, sa, ao, aStep, sb, bo, bStep, so, oo, oStep, len);
                } else {
                    BinaryKernels.rowF32(op, sa, ao, aStep, sb, bo, bStep, so, oo, oStep, len);
                }
            }
        });
    }

    /** y = scale·x + shift. */
    public static Tensor affine(Tensor x, double scale, double shift) {
        Tensor out = map(x, v -> scale * v + shift);
        return Autograd.record(out, "affine", g -> new Tensor[] {g.mul(scale).to(x.dtype())}, x);
    }

    public static Tensor pow(Tensor x, double p) {
        Tensor out = map(x, v -> p == 2 ? v * v : Math.pow(v, p));
        return Autograd.record(out, "pow", g -> new Tensor[] {
            g.mul(map(x, v -> p * Math.pow(v, p - 1))).to(x.dtype())}, x);
    }

    /** Clamps into [min, max]; the gradient passes where min ≤ x ≤ max (torch's convention). */
    public static Tensor clamp(Tensor x, double min, double max) {
        Tensor out = map(x, v -> Math.min(Math.max(v, min), max));
        return Autograd.record(out, "clamp", g -> new Tensor[] {
            g.mul(map(x, v -> v >= min && v <= max ? 1 : 0)).to(x.dtype())}, x);
    }

    public static Tensor unary(Tensor x, UnaryOp op) {
        Tensor out = map(x, op::apply);
        return Autograd.record(out, op.name().toLowerCase(), g -> new Tensor[] {unaryBackward(op, x, out, g)}, x);
    }

    private static Tensor unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor g) {
        DType type = computeType(x.dtype(), g.dtype());
        Tensor xc = x.to(type).contiguous();
        Tensor yc = y.to(type).contiguous();
        Tensor gc = g.to(type).contiguous();
        Tensor out = Tensor.empty(type, x.shape());
        MemorySegment xs = xc.segment();
        MemorySegment ys = yc.segment();
        MemorySegment gs = gc.segment();
        MemorySegment os = out.segment();
        Parallel.forRange(Math.toIntExact(out.numel()), 1 << 13, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double d = op.derivative(TypedAccess.get(xs, type, xc.offset() + i), TypedAccess.get(ys, type, yc.offset() + i));
                TypedAccess.set(os, type, i, TypedAccess.get(gs, type, gc.offset() + i) * d);
            }
        });
        return out.to(x.dtype());
    }

    /** A new tensor f(x) elementwise, in x's compute dtype; no autograd. */
    static Tensor map(Tensor x, java.util.function.DoubleUnaryOperator f) {
        DType type = x.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor src = x.to(type).contiguous();
        Tensor out = Tensor.empty(type, x.shape());
        MemorySegment s = src.segment();
        MemorySegment o = out.segment();
        long base = src.offset();
        Parallel.forRange(Math.toIntExact(out.numel()), 1 << 13, (i0, i1) -> {
            if (type == DType.F64) {
                for (int i = i0; i < i1; i++) {
                    o.setAtIndex(TypedAccess.F64, i, f.applyAsDouble(s.getAtIndex(TypedAccess.F64, base + i)));
                }
            } else {
                for (int i = i0; i < i1; i++) {
                    o.setAtIndex(TypedAccess.F32, i, (float) f.applyAsDouble(s.getAtIndex(TypedAccess.F32, base + i)));
                }
            }
        });
        return out;
    }

    /** Sets every element of a (possibly strided) tensor to {@code value}. */
    public static void fill(Tensor t, double value) {
        if (t.isContiguous() && value == 0 && Double.doubleToRawLongBits(value) == 0) {
            int size = t.dtype().byteSize();
            t.segment().asSlice(t.offset() * size, t.numel() * size).fill((byte) 0);
            return;
        }
        int[] shape = t.shape();
        long[] strides = t.strides();
        long step = StridedRows.rowStride(strides);
        int len = StridedRows.rowLength(shape);
        long rows = StridedRows.rows(shape);
        MemorySegment s = t.segment();
        for (long r = 0; r < rows; r++) {
            long o = StridedRows.rowStart(shape, strides, t.offset(), r);
            for (int i = 0; i < len; i++) {
                TypedAccess.set(s, t.dtype(), o + i * step, value);
            }
        }
    }
}
