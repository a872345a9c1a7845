package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * Inclusive prefix sums along a dimension. The running sum is kept in double for F32 inputs too,
 * as torch's CPU kernel does (its accumulate type for float is double). The gradient of a cumsum
 * is the reverse cumsum of the output gradient: dx_i = Σ_{j ≥ i} g_j.
 */
public final class CumSum {

    private CumSum() {
    }

    public static Tensor cumsum(Tensor x, int dim) {
        int d = Shapes.dim(dim, x.rank());
        DType type = x.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor out = LastDim.restore(scan(LastDim.moveLast(x.to(type), d), false), d);
        return Autograd.record(out, "cumsum", g -> new Tensor[] {
            LastDim.restore(scan(LastDim.moveLast(g.to(type), d), true), d).to(x.dtype())}, x);
    }

    /** Prefix sums of each contiguous row, from the end when {@code reverse}. */
    private static Tensor scan(Tensor rows, boolean reverse) {
        DType type = rows.dtype();
        Tensor out = Tensor.empty(type, rows.shape());
        int n = rows.shape(-1);
        MemorySegment s = rows.segment();
        MemorySegment o = out.segment();
        long base = rows.offset();
        Parallel.forRange(LastDim.rows(rows), Math.max(1, 8192 / Math.max(1, n)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * n;
                double acc = 0;
                for (int k = 0; k < n; k++) {
                    long i = off + (reverse ? n - 1 - k : k);
                    acc += TypedAccess.get(s, type, base + i);
                    TypedAccess.set(o, type, i, acc);
                }
            }
        });
        return out;
    }
}
