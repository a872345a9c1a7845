package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * softmax, log_softmax and logsumexp along one dimension, each a fused row kernel with its own
 * backward kernel ({@link SoftmaxKernels}). The dimension is moved last so rows are contiguous.
 * Results follow torch on special values: −inf entries give exact zeros (softmax) or −inf
 * (log_softmax); a row that is entirely −inf gives NaN for softmax and log_softmax and −inf for
 * logsumexp.
 */
public final class Softmax {

    private enum Kind { SOFTMAX, LOG_SOFTMAX }

    private Softmax() {
    }

    public static Tensor softmax(Tensor x, int dim) {
        return rowwise(x, dim, Kind.SOFTMAX);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return rowwise(x, dim, Kind.LOG_SOFTMAX);
    }

    private static Tensor rowwise(Tensor x, int dim, Kind kind) {
        int d = Shapes.dim(dim, x.rank());
        DType type = computeType(x);
        Tensor src = LastDim.moveLast(x.to(type), d);
        Tensor y = Tensor.empty(type, src.shape());
        int n = src.shape(-1);
        MemorySegment s = src.segment();
        MemorySegment o = y.segment();
        long base = src.offset();
        Parallel.forRange(LastDim.rows(src), minRows(n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * n;
                if (type == DType.F64) {
                    if (kind == Kind.SOFTMAX) {
                        SoftmaxKernels.softmaxF64(s, base + off, o, off, n);
                    } else {
                        SoftmaxKernels.logSoftmaxF64(s, base + off, o, off, n);
                    }
                } else if (kind == Kind.SOFTMAX) {
                    SoftmaxKernels.softmaxF32(s, base + off, o, off, n);
                } else {
                    SoftmaxKernels.logSoftmaxF32(s, base + off, o, off, n);
                }
            }
        });
        String name = kind == Kind.SOFTMAX ? "softmax" : "log_softmax";
        return Autograd.record(LastDim.restore(y, d), name, g -> new Tensor[] {
            LastDim.restore(rowwiseBackward(y, LastDim.moveLast(g.to(type), d), kind), d).to(x.dtype())}, x);
    }

    private static Tensor rowwiseBackward(Tensor y, Tensor g, Kind kind) {
        DType type = y.dtype();
        Tensor dx = Tensor.empty(type, y.shape());
        int n = y.shape(-1);
        MemorySegment ys = y.segment();
        MemorySegment gs = g.segment();
        MemorySegment ds = dx.segment();
        long gBase = g.offset();
        Parallel.forRange(LastDim.rows(y), minRows(n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * n;
                long gOff = gBase + off;
                if (type == DType.F64) {
                    if (kind == Kind.SOFTMAX) {
                        SoftmaxKernels.softmaxBackwardF64(ys, gs, gOff, ds, off, n);
                    } else {
                        SoftmaxKernels.logSoftmaxBackwardF64(ys, gs, gOff, ds, off, n);
                    }
                } else if (kind == Kind.SOFTMAX) {
                    SoftmaxKernels.softmaxBackwardF32(ys, gs, gOff, ds, off, n);
                } else {
                    SoftmaxKernels.logSoftmaxBackwardF32(ys, gs, gOff, ds, off, n);
                }
            }
        });
        return dx;
    }

    /** log Σ exp(x) along {@code dim}; the gradient is g·softmax(x). */
    public static Tensor logsumexp(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim(dim, x.rank());
        DType type = computeType(x);
        Tensor src = LastDim.moveLast(x.to(type), d);
        int[] rowShape = src.shape();
        int n = rowShape[rowShape.length - 1];
        rowShape[rowShape.length - 1] = 1;
        Tensor lse = Tensor.empty(type, rowShape);
        MemorySegment s = src.segment();
        MemorySegment o = lse.segment();
        long base = src.offset();
        Parallel.forRange(LastDim.rows(src), minRows(n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = base + (long) r * n;
                if (type == DType.F64) {
                    o.setAtIndex(TypedAccess.F64, r, SoftmaxKernels.logSumExpF64(s, off, n));
                } else {
                    o.setAtIndex(TypedAccess.F32, r, SoftmaxKernels.logSumExpF32(s, off, n));
                }
            }
        });
        Tensor kept = LastDim.restore(lse, d);
        Tensor out = keepDim ? kept : kept.squeeze(d);
        return Autograd.record(out, "logsumexp", g -> {
            Tensor gRows = LastDim.moveLast((keepDim ? g : g.unsqueeze(d)).to(type), d);
            Tensor dx = Tensor.empty(type, src.shape());
            MemorySegment gs = gRows.segment();
            MemorySegment ds = dx.segment();
            long gBase = gRows.offset();
            Parallel.forRange(LastDim.rows(src), minRows(n), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    long off = (long) r * n;
                    if (type == DType.F64) {
                        SoftmaxKernels.logSumExpBackwardF64(s, base + off, n, o.getAtIndex(TypedAccess.F64, r),
                                gs.getAtIndex(TypedAccess.F64, gBase + r), ds, off);
                    } else {
                        SoftmaxKernels.logSumExpBackwardF32(s, base + off, n, o.getAtIndex(TypedAccess.F32, r),
                                gs.getAtIndex(TypedAccess.F32, gBase + r), ds, off);
                    }
                }
            });
            return new Tensor[] {LastDim.restore(dx, d).to(x.dtype())};
        }, x);
    }

    /** F64 stays F64 (gradient checks); every other dtype computes in F32. */
    private static DType computeType(Tensor x) {
        return x.dtype() == DType.F64 ? DType.F64 : DType.F32;
    }

    /** Rows per worker chunk so a chunk holds at least ~16K elements. */
    private static int minRows(int n) {
        return Math.max(1, (1 << 14) / Math.max(1, n));
    }
}
