package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.cpu.VectorMath;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowMath} for F32 storage on the Vector API: full vectors over the row, then a scalar
 * tail. Sums accumulate lane-wise in F32 and reduce once per row, always in the same order, so a
 * row gives bitwise the same result wherever and whenever it runs.
 */
final class RowMathF32 extends RowMath {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * 4, LE);
    }

    private static float at(MemorySegment s, long index) {
        return s.getAtIndex(TypedAccess.F32, index);
    }

    @Override
    double get(MemorySegment s, long i) {
        return at(s, i);
    }

    @Override
    void set(MemorySegment s, long i, double v) {
        s.setAtIndex(TypedAccess.F32, i, (float) v);
    }

    @Override
    double dot(MemorySegment a, long ao, MemorySegment b, long bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = load(a, ao + i).fma(load(b, bo + i), acc);
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            sum += at(a, ao + i) * at(b, bo + i);
        }
        return sum;
    }

    @Override
    double dot3(MemorySegment a, long ao, MemorySegment w, long wo, MemorySegment c, long co, int n) {
        if (w == null) {
            return dot(a, ao, c, co, n);
        }
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = load(a, ao + i).mul(load(w, wo + i)).fma(load(c, co + i), acc);
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            sum += at(a, ao + i) * at(w, wo + i) * at(c, co + i);
        }
        return sum;
    }

    @Override
    double dotOrSum(MemorySegment a, long ao, MemorySegment w, long wo, int n) {
        if (w != null) {
            return dot(a, ao, w, wo, n);
        }
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = acc.add(load(a, ao + i));
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            sum += at(a, ao + i);
        }
        return sum;
    }

    @Override
    double sumSqDev(MemorySegment a, long ao, double mean, int n) {
        float m = (float) mean;
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector d = load(a, ao + i).sub(m);
            acc = d.fma(d, acc);
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            float d = at(a, ao + i) - m;
            sum += d * d;
        }
        return sum;
    }

    @Override
    void axpy(double alpha, MemorySegment x, long xo, MemorySegment y, long yo, int n) {
        float al = (float) alpha;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            load(x, xo + i).fma(FloatVector.broadcast(S, al), load(y, yo + i)).intoMemorySegment(y, (yo + i) * 4, LE);
        }
        for (; i < n; i++) {
            y.setAtIndex(TypedAccess.F32, yo + i, Math.fma(al, at(x, xo + i), at(y, yo + i)));
        }
    }

    @Override
    void scale(MemorySegment x, long xo, double alpha, int n) {
        float al = (float) alpha;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            load(x, xo + i).mul(al).intoMemorySegment(x, (xo + i) * 4, LE);
        }
        for (; i < n; i++) {
            x.setAtIndex(TypedAccess.F32, xo + i, at(x, xo + i) * al);
        }
    }

    @Override
    void affineNorm(MemorySegment x, long xo, double mean, double r, MemorySegment w, long wo,
            MemorySegment b, long bo, MemorySegment out, long oo, int n) {
        float m = (float) mean;
        float rr = (float) r;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = load(x, xo + i).sub(m).mul(rr);
            if (w != null) {
                v = v.mul(load(w, wo + i));
            }
            if (b != null) {
                v = v.add(load(b, bo + i));
            }
            v.intoMemorySegment(out, (oo + i) * 4, LE);
        }
        for (; i < n; i++) {
            float v = (at(x, xo + i) - m) * rr;
            if (w != null) {
                v *= at(w, wo + i);
            }
            if (b != null) {
                v += at(b, bo + i);
            }
            out.setAtIndex(TypedAccess.F32, oo + i, v);
        }
    }

    @Override
    void normInputGrad(MemorySegment g, long go, MemorySegment w, long wo, MemorySegment x, long xo,
            double mean, double r, double a, double c, MemorySegment out, long oo, int n) {
        float m = (float) mean;
        float rr = (float) r;
        float fa = (float) a;
        float fc = (float) c;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector gw = w == null ? load(g, go + i) : load(g, go + i).mul(load(w, wo + i));
            FloatVector xhat = load(x, xo + i).sub(m).mul(rr);
            gw.sub(fa).sub(xhat.mul(fc)).mul(rr).intoMemorySegment(out, (oo + i) * 4, LE);
        }
        for (; i < n; i++) {
            float gw = w == null ? at(g, go + i) : at(g, go + i) * at(w, wo + i);
            float xhat = (at(x, xo + i) - m) * rr;
            out.setAtIndex(TypedAccess.F32, oo + i, (gw - fa - xhat * fc) * rr);
        }
    }

    @Override
    void normParamGrad(MemorySegment g, long go, MemorySegment x, long xo, double mean, double r,
            MemorySegment gw, long gwo, MemorySegment gb, long gbo, int n) {
        float m = (float) mean;
        float rr = (float) r;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector gv = load(g, go + i);
            if (gw != null) {
                gv.mul(load(x, xo + i).sub(m).mul(rr)).add(load(gw, gwo + i)).intoMemorySegment(gw, (gwo + i) * 4, LE);
            }
            if (gb != null) {
                gv.add(load(gb, gbo + i)).intoMemorySegment(gb, (gbo + i) * 4, LE);
            }
        }
        for (; i < n; i++) {
            float gv = at(g, go + i);
            if (gw != null) {
                gw.setAtIndex(TypedAccess.F32, gwo + i, at(gw, gwo + i) + gv * ((at(x, xo + i) - m) * rr));
            }
            if (gb != null) {
                gb.setAtIndex(TypedAccess.F32, gbo + i, at(gb, gbo + i) + gv);
            }
        }
    }

    @Override
    void mulAddMul(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment c, long co,
            MemorySegment d, long dOff, double sign, MemorySegment out, long oo, int n) {
        float sg = (float) sign;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector cd = load(c, co + i).mul(load(d, dOff + i)).mul(sg);
            load(a, ao + i).fma(load(b, bo + i), cd).intoMemorySegment(out, (oo + i) * 4, LE);
        }
        for (; i < n; i++) {
            out.setAtIndex(TypedAccess.F32, oo + i, Math.fma(at(a, ao + i), at(b, bo + i), at(c, co + i) * at(d, dOff + i) * sg));
        }
    }
}
