package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reductions over a set of dimensions. The reduced dimensions are moved last and made contiguous
 * so every output element reduces one contiguous row; rows accumulate in double, in index order,
 * so results do not depend on the thread count.
 */
public final class Reductions {

    private enum Kind { SUM, MAX, MIN, SUM_SQUARED_DEVIATION }

    private Reductions() {
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        Plan p = new Plan(x, dims);
        Tensor out = p.reduce(Kind.SUM, keepDim);
        return Autograd.record(out, "sum", g -> new Tensor[] {g.reshape(p.keptShape).expand(x.shape()).to(x.dtype())}, x);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        Plan p = new Plan(x, dims);
        return sum(x, dims, keepDim).div(Math.max(1, p.rowLength));
    }

    /** max (or min when {@code largest} is false); the gradient is shared equally among ties. */
    public static Tensor max(Tensor x, int[] dims, boolean keepDim, boolean largest) {
        Plan p = new Plan(x, dims);
        if (p.rowLength == 0) {
            throw new IllegalArgumentException((largest ? "max" : "min") + " over an empty dimension of "
                    + Arrays.toString(x.shape()));
        }
        Tensor out = p.reduce(largest ? Kind.MAX : Kind.MIN, keepDim);
        return Autograd.record(out, largest ? "max" : "min", g -> {
            Tensor m = out.reshape(p.keptShape);
            Tensor hit = Elementwise.binary(x.detach(), m.detach(), Elementwise.BinaryOp.EQ);
            Tensor count = hit.sum(p.dims, true);
            return new Tensor[] {hit.div(count).mul(g.reshape(p.keptShape)).to(x.dtype())};
        }, x);
    }

    /** Σ(x − mean)² / (N − correction) over {@code dims}. */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        Plan p = new Plan(x, dims);
        double denom = Math.max(0, p.rowLength - correction);
        Tensor out = p.reduce(Kind.SUM_SQUARED_DEVIATION, keepDim);
        Tensor scaled = Elementwise.map(out, v -> v / denom).to(out.dtype());
        return Autograd.record(scaled, "var", g -> {
            Tensor mean = x.detach().mean(p.dims, true);
            return new Tensor[] {x.detach().sub(mean).mul(2 / denom).mul(g.reshape(p.keptShape)).to(x.dtype())};
        }, x);
    }

    /** Sums the dimensions that broadcasting expanded, giving a tensor of shape {@code target}. */
    public static Tensor sumTo(Tensor x, int[] target) {
        int[] shape = x.shape();
        if (Arrays.equals(shape, target)) {
            return x;
        }
        int lead = shape.length - target.length;
        if (lead < 0) {
            throw new IllegalArgumentException("cannot sum " + Arrays.toString(shape) + " to larger " + Arrays.toString(target));
        }
        int[] dims = new int[shape.length];
        int n = 0;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) {
                dims[n++] = i;
            } else if (target[i - lead] != shape[i]) {
                throw new IllegalArgumentException("cannot sum " + Arrays.toString(shape) + " to " + Arrays.toString(target));
            }
        }
        Tensor s = n == 0 ? x : sum(x, Arrays.copyOf(dims, n), true);
        return s.reshape(target);
    }

    /** How a reduction lays out its input: kept dimensions first, reduced dimensions last. */
    private static final class Plan {
        final Tensor x;
        final int[] dims;
        final boolean[] reduced;
        final int[] keptShape;
        final int rowLength;
        final long rows;

        Plan(Tensor x, int[] requested) {
            this.x = x;
            int rank = x.rank();
            reduced = new boolean[rank];
            for (int d : requested) {
                int nd = Shapes.dim(d, rank);
                if (reduced[nd]) {
                    throw new IllegalArgumentException("dimension " + d + " listed twice in " + Arrays.toString(requested));
                }
                reduced[nd] = true;
            }
            int[] shape = x.shape();
            keptShape = shape.clone();
            long r = 1;
            int nDims = 0;
            for (int i = 0; i < rank; i++) {
                if (reduced[i]) {
                    keptShape[i] = 1;
                    r *= shape[i];
                    nDims++;
                }
            }
            dims = new int[nDims];
            for (int i = 0, j = 0; i < rank; i++) {
                if (reduced[i]) {
                    dims[j++] = i;
                }
            }
            rowLength = Math.toIntExact(r);
            rows = rowLength == 0 ? Shapes.numel(keptShape) : x.numel() / Math.max(1, rowLength);
        }

        int[] outputShape(boolean keepDim) {
            if (keepDim) {
                return keptShape.clone();
            }
            int[] shape = x.shape();
            int[] out = new int[shape.length - dims.length];
            for (int i = 0, j = 0; i < shape.length; i++) {
                if (!reduced[i]) {
                    out[j++] = shape[i];
                }
            }
            return out;
        }

        Tensor reduce(Kind kind, boolean keepDim) {
            int rank = x.rank();
            int[] perm = new int[rank];
            int j = 0;
            for (int i = 0; i < rank; i++) {
                if (!reduced[i]) {
                    perm[j++] = i;
                }
            }
            for (int i = 0; i < rank; i++) {
                if (reduced[i]) {
                    perm[j++] = i;
                }
            }
            DType type = x.dtype() == DType.F64 ? DType.F64 : DType.F32;
            Tensor src = x.detach().to(type).permute(perm).contiguous();
            Tensor out = Tensor.empty(type, outputShape(keepDim));
            MemorySegment s = src.segment();
            MemorySegment o = out.segment();
            long base = src.offset();
            int len = rowLength;
            Parallel.forRange(Math.toIntExact(rows), Math.max(1, 8192 / Math.max(1, len)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    long start = base + (long) r * len;
                    TypedAccess.set(o, type, r, reduceRow(kind, s, type, start, len));
                }
            });
            return out;
        }
    }

    private static double reduceRow(Kind kind, MemorySegment s, DType type, long start, int len) {
        switch (kind) {
            case SUM -> {
                double acc = 0;
                for (int i = 0; i < len; i++) {
                    acc += TypedAccess.get(s, type, start + i);
                }
                return acc;
            }
            case MAX, MIN -> {
                double best = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    double v = TypedAccess.get(s, type, start + i);
                    if (Double.isNaN(v)) {
                        return v;
                    }
                    best = kind == Kind.MAX ? Math.max(best, v) : Math.min(best, v);
                }
                return best;
            }
            case SUM_SQUARED_DEVIATION -> {
                double mean = 0;
                for (int i = 0; i < len; i++) {
                    mean += TypedAccess.get(s, type, start + i);
                }
                mean /= len;
                double acc = 0;
                for (int i = 0; i < len; i++) {
                    double d = TypedAccess.get(s, type, start + i) - mean;
                    acc += d * d;
                }
                return acc;
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }
}
