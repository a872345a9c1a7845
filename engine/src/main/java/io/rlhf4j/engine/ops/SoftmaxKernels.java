package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.cpu.VectorMath;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels of softmax, log-softmax and log-sum-exp over unit-stride rows (offsets in
 * elements; a backward kernel reads the gradient row at gOff and y, dx at off). F32 rows use
 * vector loads and the vector EXP; F64 rows are plain loops for gradient checks. Every row is
 * max-subtracted, as torch does, so a fully −inf row gives NaN (−inf − −inf) and −inf entries
 * of other rows give exact zeros (exp(−inf) = 0). Softmax takes three passes (max; exp and sum,
 * storing the exps; scale); a row of up to ~128 KiB stays in L2 between them.
 */
final class SoftmaxKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private SoftmaxKernels() {
    }

    // ---------------------------------------------------------------- F32

    static float maxF32(MemorySegment s, long off, int n) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (n >= F.length()) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromMemorySegment(F, s, (off + i) * 4, LE));
            }
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, s.getAtIndex(TypedAccess.F32, off + i));
        }
        return max;
    }

    /** Σ exp(x − shift); when {@code out} is non-null also stores each exp(x − shift) there. */
    static float sumExpF32(MemorySegment s, long off, int n, float shift, MemorySegment out, long outOff) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        FloatVector vShift = FloatVector.broadcast(F, shift);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(F, s, (off + i) * 4, LE).sub(vShift));
            if (out != null) {
                e.intoMemorySegment(out, (outOff + i) * 4, LE);
            }
            acc = acc.add(e);
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            float e = (float) Math.exp(s.getAtIndex(TypedAccess.F32, off + i) - shift);
            if (out != null) {
                out.setAtIndex(TypedAccess.F32, outOff + i, e);
            }
            sum += e;
        }
        return sum;
    }

    /** y = softmax(x) of one row. */
    static void softmaxF32(MemorySegment s, long off, MemorySegment o, long oOff, int n) {
        float max = maxF32(s, off, n);
        float inv = 1f / sumExpF32(s, off, n, max, o, oOff);
        scaleF32(o, oOff, n, inv);
    }

    /** y = (x − max) − log Σ exp(x − max) of one row. */
    static void logSoftmaxF32(MemorySegment s, long off, MemorySegment o, long oOff, int n) {
        float max = maxF32(s, off, n);
        float logSum = (float) Math.log(sumExpF32(s, off, n, max, null, 0));
        int i = 0;
        FloatVector vMax = FloatVector.broadcast(F, max);
        FloatVector vLog = FloatVector.broadcast(F, logSum);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromMemorySegment(F, s, (off + i) * 4, LE).sub(vMax).sub(vLog)
                    .intoMemorySegment(o, (oOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            o.setAtIndex(TypedAccess.F32, oOff + i, s.getAtIndex(TypedAccess.F32, off + i) - max - logSum);
        }
    }

    /**
     * log Σ exp(x) of one row, shifted by the max unless the max is infinite (then by 0, as torch
     * does), so an all −inf row gives −inf and a +inf entry gives +inf.
     */
    static float logSumExpF32(MemorySegment s, long off, int n) {
        float max = maxF32(s, off, n);
        float shift = Float.isInfinite(max) ? 0f : max;
        return (float) Math.log(sumExpF32(s, off, n, shift, null, 0)) + shift;
    }

    private static void scaleF32(MemorySegment o, long off, int n, float c) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromMemorySegment(F, o, (off + i) * 4, LE).mul(c).intoMemorySegment(o, (off + i) * 4, LE);
        }
        for (; i < n; i++) {
            o.setAtIndex(TypedAccess.F32, off + i, o.getAtIndex(TypedAccess.F32, off + i) * c);
        }
    }

    /** Softmax backward: dx = y ⊙ (g − Σ g⊙y). */
    static void softmaxBackwardF32(MemorySegment y, MemorySegment g, long gOff, MemorySegment dx, long off, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector vy = FloatVector.fromMemorySegment(F, y, (off + i) * 4, LE);
            acc = FloatVector.fromMemorySegment(F, g, (gOff + i) * 4, LE).fma(vy, acc);
        }
        float dot = VectorMath.sum(acc);
        for (; i < n; i++) {
            dot += g.getAtIndex(TypedAccess.F32, gOff + i) * y.getAtIndex(TypedAccess.F32, off + i);
        }
        FloatVector vDot = FloatVector.broadcast(F, dot);
        i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector vy = FloatVector.fromMemorySegment(F, y, (off + i) * 4, LE);
            FloatVector.fromMemorySegment(F, g, (gOff + i) * 4, LE).sub(vDot).mul(vy)
                    .intoMemorySegment(dx, (off + i) * 4, LE);
        }
        for (; i < n; i++) {
            float gi = g.getAtIndex(TypedAccess.F32, gOff + i);
            dx.setAtIndex(TypedAccess.F32, off + i, (gi - dot) * y.getAtIndex(TypedAccess.F32, off + i));
        }
    }

    /** Log-softmax backward: dx = g − exp(y)·Σg. */
    static void logSoftmaxBackwardF32(MemorySegment y, MemorySegment g, long gOff, MemorySegment dx, long off, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = acc.add(FloatVector.fromMemorySegment(F, g, (gOff + i) * 4, LE));
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            sum += g.getAtIndex(TypedAccess.F32, gOff + i);
        }
        FloatVector vSum = FloatVector.broadcast(F, sum);
        i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector p = VectorMath.exp(FloatVector.fromMemorySegment(F, y, (off + i) * 4, LE));
            FloatVector.fromMemorySegment(F, g, (gOff + i) * 4, LE).sub(p.mul(vSum))
                    .intoMemorySegment(dx, (off + i) * 4, LE);
        }
        for (; i < n; i++) {
            float p = (float) Math.exp(y.getAtIndex(TypedAccess.F32, off + i));
            dx.setAtIndex(TypedAccess.F32, off + i, g.getAtIndex(TypedAccess.F32, gOff + i) - p * sum);
        }
    }

    /** Log-sum-exp backward: dx = g·exp(x − lse), g and lse being the row's scalars. */
    static void logSumExpBackwardF32(MemorySegment x, long off, int n, float lse, float g, MemorySegment dx,
            long dxOff) {
        int i = 0;
        FloatVector vLse = FloatVector.broadcast(F, lse);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            VectorMath.exp(FloatVector.fromMemorySegment(F, x, (off + i) * 4, LE).sub(vLse)).mul(g)
                    .intoMemorySegment(dx, (dxOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            dx.setAtIndex(TypedAccess.F32, dxOff + i, g * (float) Math.exp(x.getAtIndex(TypedAccess.F32, off + i) - lse));
        }
    }

    // ---------------------------------------------------------------- F64 (gradient checks)

    private static double maxF64(MemorySegment s, long off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, s.getAtIndex(TypedAccess.F64, off + i));
        }
        return max;
    }

    private static double sumExpF64(MemorySegment s, long off, int n, double shift) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(s.getAtIndex(TypedAccess.F64, off + i) - shift);
        }
        return sum;
    }

    static void softmaxF64(MemorySegment s, long off, MemorySegment o, long oOff, int n) {
        double max = maxF64(s, off, n);
        double inv = 1 / sumExpF64(s, off, n, max);
        for (int i = 0; i < n; i++) {
            o.setAtIndex(TypedAccess.F64, oOff + i, Math.exp(s.getAtIndex(TypedAccess.F64, off + i) - max) * inv);
        }
    }

    static void logSoftmaxF64(MemorySegment s, long off, MemorySegment o, long oOff, int n) {
        double max = maxF64(s, off, n);
        double logSum = Math.log(sumExpF64(s, off, n, max));
        for (int i = 0; i < n; i++) {
            o.setAtIndex(TypedAccess.F64, oOff + i, s.getAtIndex(TypedAccess.F64, off + i) - max - logSum);
        }
    }

    static double logSumExpF64(MemorySegment s, long off, int n) {
        double max = maxF64(s, off, n);
        double shift = Double.isInfinite(max) ? 0 : max;
        return Math.log(sumExpF64(s, off, n, shift)) + shift;
    }

    static void softmaxBackwardF64(MemorySegment y, MemorySegment g, long gOff, MemorySegment dx, long off, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
            dot += g.getAtIndex(TypedAccess.F64, gOff + i) * y.getAtIndex(TypedAccess.F64, off + i);
        }
        for (int i = 0; i < n; i++) {
            double gi = g.getAtIndex(TypedAccess.F64, gOff + i);
            dx.setAtIndex(TypedAccess.F64, off + i, (gi - dot) * y.getAtIndex(TypedAccess.F64, off + i));
        }
    }

    static void logSoftmaxBackwardF64(MemorySegment y, MemorySegment g, long gOff, MemorySegment dx, long off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += g.getAtIndex(TypedAccess.F64, gOff + i);
        }
        for (int i = 0; i < n; i++) {
            double p = Math.exp(y.getAtIndex(TypedAccess.F64, off + i));
            dx.setAtIndex(TypedAccess.F64, off + i, g.getAtIndex(TypedAccess.F64, gOff + i) - p * sum);
        }
    }

    static void logSumExpBackwardF64(MemorySegment x, long off, int n, double lse, double g, MemorySegment dx,
            long dxOff) {
        for (int i = 0; i < n; i++) {
            dx.setAtIndex(TypedAccess.F64, dxOff + i, g * Math.exp(x.getAtIndex(TypedAccess.F64, off + i) - lse));
        }
    }
}
