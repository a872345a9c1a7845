package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;

/**
 * The per-row primitives the fused kernels are written in, once for F32 (Vector API, see
 * {@link RowMathF32}) and once for F64 (plain loops, used by the gradient checks). Each fused op
 * expresses its algorithm in these primitives, so the F64 gradient checks exercise the very
 * control flow the F32 path runs. Offsets and lengths are in elements; a null segment stands for
 * an all-ones weight or an absent bias where noted.
 */
abstract sealed class RowMath permits RowMathF32, RowMath.F64Math {

    static final RowMath F32 = new RowMathF32();
    static final RowMath F64 = new F64Math();

    /** The math for a compute dtype (F64 or F32). */
    static RowMath of(DType computeType) {
        return computeType == DType.F64 ? F64 : F32;
    }

    /** F64 for F64 inputs, F32 for everything else (BF16/F16 are widened). */
    static DType computeType(DType input) {
        return input == DType.F64 ? DType.F64 : DType.F32;
    }

    abstract double get(MemorySegment s, long i);

    abstract void set(MemorySegment s, long i, double v);

    /** Σ a·b. */
    abstract double dot(MemorySegment a, long ao, MemorySegment b, long bo, int n);

    /** Σ a·w·c; w null means all ones. */
    abstract double dot3(MemorySegment a, long ao, MemorySegment w, long wo, MemorySegment c, long co, int n);

    /** Σ a·w; w null means all ones (plain sum). */
    abstract double dotOrSum(MemorySegment a, long ao, MemorySegment w, long wo, int n);

    /** Σ (a − mean)². */
    abstract double sumSqDev(MemorySegment a, long ao, double mean, int n);

    /** y += α·x. */
    abstract void axpy(double alpha, MemorySegment x, long xo, MemorySegment y, long yo, int n);

    /** x *= α. */
    abstract void scale(MemorySegment x, long xo, double alpha, int n);

    /** out = (x − mean)·r·w + b; w null = ones, b null = zeros. */
    abstract void affineNorm(MemorySegment x, long xo, double mean, double r, MemorySegment w, long wo,
            MemorySegment b, long bo, MemorySegment out, long oo, int n);

    /** out = r·(g·w − a − ((x − mean)·r)·c), the input gradient of a normalisation; w null = ones. */
    abstract void normInputGrad(MemorySegment g, long go, MemorySegment w, long wo, MemorySegment x, long xo,
            double mean, double r, double a, double c, MemorySegment out, long oo, int n);

    /** gw += g·(x − mean)·r and gb += g (either may be null). */
    abstract void normParamGrad(MemorySegment g, long go, MemorySegment x, long xo, double mean, double r,
            MemorySegment gw, long gwo, MemorySegment gb, long gbo, int n);

    /** out = a·b + sign·c·d. */
    abstract void mulAddMul(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment c, long co,
            MemorySegment d, long dOff, double sign, MemorySegment out, long oo, int n);

    /** Scalar double loops: the reference semantics every F32 vector primitive agrees with. */
    static final class F64Math extends RowMath {

        @Override
        double get(MemorySegment s, long i) {
            return s.getAtIndex(TypedAccess.F64, i);
        }

        @Override
        void set(MemorySegment s, long i, double v) {
            s.setAtIndex(TypedAccess.F64, i, v);
        }

        @Override
        double dot(MemorySegment a, long ao, MemorySegment b, long bo, int n) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += get(a, ao + i) * get(b, bo + i);
            }
            return acc;
        }

        @Override
        double dot3(MemorySegment a, long ao, MemorySegment w, long wo, MemorySegment c, long co, int n) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += get(a, ao + i) * (w == null ? 1 : get(w, wo + i)) * get(c, co + i);
            }
            return acc;
        }

        @Override
        double dotOrSum(MemorySegment a, long ao, MemorySegment w, long wo, int n) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += get(a, ao + i) * (w == null ? 1 : get(w, wo + i));
            }
            return acc;
        }

        @Override
        double sumSqDev(MemorySegment a, long ao, double mean, int n) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                double d = get(a, ao + i) - mean;
                acc += d * d;
            }
            return acc;
        }

        @Override
        void axpy(double alpha, MemorySegment x, long xo, MemorySegment y, long yo, int n) {
            for (int i = 0; i < n; i++) {
                set(y, yo + i, get(y, yo + i) + alpha * get(x, xo + i));
            }
        }

        @Override
        void scale(MemorySegment x, long xo, double alpha, int n) {
            for (int i = 0; i < n; i++) {
                set(x, xo + i, get(x, xo + i) * alpha);
            }
        }

        @Override
        void affineNorm(MemorySegment x, long xo, double mean, double r, MemorySegment w, long wo,
                MemorySegment b, long bo, MemorySegment out, long oo, int n) {
            for (int i = 0; i < n; i++) {
                double v = (get(x, xo + i) - mean) * r;
                if (w != null) {
                    v *= get(w, wo + i);
                }
                if (b != null) {
                    v += get(b, bo + i);
                }
                set(out, oo + i, v);
            }
        }

        @Override
        void normInputGrad(MemorySegment g, long go, MemorySegment w, long wo, MemorySegment x, long xo,
                double mean, double r, double a, double c, MemorySegment out, long oo, int n) {
            for (int i = 0; i < n; i++) {
                double gw = get(g, go + i) * (w == null ? 1 : get(w, wo + i));
                double xhat = (get(x, xo + i) - mean) * r;
                set(out, oo + i, r * (gw - a - xhat * c));
            }
        }

        @Override
        void normParamGrad(MemorySegment g, long go, MemorySegment x, long xo, double mean, double r,
                MemorySegment gw, long gwo, MemorySegment gb, long gbo, int n) {
            for (int i = 0; i < n; i++) {
                double gv = get(g, go + i);
                if (gw != null) {
                    set(gw, gwo + i, get(gw, gwo + i) + gv * (get(x, xo + i) - mean) * r);
                }
                if (gb != null) {
                    set(gb, gbo + i, get(gb, gbo + i) + gv);
                }
            }
        }

        @Override
        void mulAddMul(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment c, long co,
                MemorySegment d, long dOff, double sign, MemorySegment out, long oo, int n) {
            for (int i = 0; i < n; i++) {
                set(out, oo + i, get(a, ao + i) * get(b, bo + i) + sign * get(c, co + i) * get(d, dOff + i));
            }
        }
    }
}
