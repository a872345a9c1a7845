package io.rlhf4j.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector operations whose results do not depend on how the JVM runs them. Two Vector API
 * operations do: {@code reduceLanes(ADD)} (its summation order is unspecified: the interpreter adds
 * lanes in sequence, C2 in a tree) and {@code lanewise(EXP)} (C2 calls a vector math library, the
 * fallback a different routine; they differ in the last bit). Measured on JDK 25: both change
 * results a few thousand calls into a run, when C2 compiles the caller, so a kernel using them gives
 * different bits early and late in the same process, which breaks bitwise reproducibility and
 * exact resume. These replacements use only IEEE-exact lane operations in a fixed order.
 */
public final class VectorMath {

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split into a part exact in float and the rest (Cephes expf). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** exp overflows to +inf above this and is below the smallest normal float under LO. */
    private static final float HI = 88.3762626647949f;
    private static final float LO = -87.3365447505531f;
    /** 1.5 · 2^23: adding it rounds a float of magnitude < 2^22 to an integer, held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    private VectorMath() {
    }

    /** The lanes of {@code v} added in lane order, 0 first. */
    public static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0;
        for (float x : lanes) {
            s += x;
        }
        return s;
    }

    /**
     * e^x per lane, Cephes expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by a degree-7 polynomial
     * (relative error about 1 ulp), scaled by 2^n through the exponent bits. +inf above 88.376,
     * 0 below −87.337 (where e^x is subnormal), NaN for NaN.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LO).min(HI);
        FloatVector t = c.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        IntVector k = t.reinterpretAsInts().sub(ROUND_BITS);
        FloatVector r = c.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f)
                .fma(r, FloatVector.broadcast(x.species(), 8.3334519073e-3f))
                .fma(r, FloatVector.broadcast(x.species(), 4.1665795894e-2f))
                .fma(r, FloatVector.broadcast(x.species(), 1.6666665459e-1f))
                .fma(r, FloatVector.broadcast(x.species(), 5.0000001201e-1f));
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        FloatVector scale = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector out = y.mul(scale);
        VectorMask<Float> under = x.compare(VectorOperators.LT, LO);
        VectorMask<Float> over = x.compare(VectorOperators.GT, HI);
        return out.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
    }
}
