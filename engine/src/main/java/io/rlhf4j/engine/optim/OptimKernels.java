package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused per-parameter update kernels: one pass reads p, g and the state and writes p and the
 * state. The F32 kernels use the Vector API for the body and the same operations, in the same
 * order and without fused multiply-adds, for the tail, so an element's result does not depend on
 * where a chunk boundary falls. Offsets are in elements; state buffers start at element 0.
 */
final class OptimKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private OptimKernels() {
    }

    /** Scalars of one AdamW step, computed in double and rounded once to F32 like torch does. */
    record AdamCoefficients(double decay, double beta1, double beta2, double stepSize, double bc2Sqrt, double eps) {
    }

    /**
     * torch.optim.AdamW (single-tensor path): p ← p·(1 − lr·wd); m ← lerp(m, g, 1 − β₁);
     * v ← v·β₂ + (1 − β₂)·g²; p ← p − stepSize·m / (√v / √(1 − β₂ᵗ) + ε), stepSize = lr/(1 − β₁ᵗ).
     * The lerp uses torch's two-sided formula (from the start below weight ½, from the end above).
     */
    static void adamwF32(MemorySegment p, long po, MemorySegment g, long go, MemorySegment m, MemorySegment v,
            int start, int end, AdamCoefficients c) {
        float decay = (float) c.decay();
        float b2 = (float) c.beta2();
        float w1 = (float) (1 - c.beta1());
        float omw1 = 1 - w1;
        boolean fromStart = w1 < 0.5f;
        float w2 = (float) (1 - c.beta2());
        float negStep = (float) -c.stepSize();
        float bc2 = (float) c.bc2Sqrt();
        float eps = (float) c.eps();
        int i = start;
        int upper = start + S.loopBound(end - start);
        for (; i < upper; i += S.length()) {
            FloatVector pv = FloatVector.fromMemorySegment(S, p, (po + i) * 4, ORDER).mul(decay);
            FloatVector gv = FloatVector.fromMemorySegment(S, g, (go + i) * 4, ORDER);
            FloatVector mv = FloatVector.fromMemorySegment(S, m, i * 4L, ORDER);
            FloatVector vv = FloatVector.fromMemorySegment(S, v, i * 4L, ORDER);
            FloatVector diff = gv.sub(mv);
            mv = fromStart ? mv.add(diff.mul(w1)) : gv.sub(diff.mul(omw1));
            vv = vv.mul(b2).add(gv.mul(w2).mul(gv));
            FloatVector denom = vv.lanewise(VectorOperators.SQRT).div(bc2).add(eps);
            pv = pv.add(mv.div(denom).mul(negStep));
            pv.intoMemorySegment(p, (po + i) * 4, ORDER);
            mv.intoMemorySegment(m, i * 4L, ORDER);
            vv.intoMemorySegment(v, i * 4L, ORDER);
        }
        for (; i < end; i++) {
            float pv = p.getAtIndex(TypedAccess.F32, po + i) * decay;
            float gv = g.getAtIndex(TypedAccess.F32, go + i);
            float mv = m.getAtIndex(TypedAccess.F32, i);
            float vv = v.getAtIndex(TypedAccess.F32, i);
            float diff = gv - mv;
            mv = fromStart ? mv + diff * w1 : gv - diff * omw1;
            vv = vv * b2 + gv * w2 * gv;
            float denom = (float) Math.sqrt(vv) / bc2 + eps;
            pv = pv + mv / denom * negStep;
            p.setAtIndex(TypedAccess.F32, po + i, pv);
            m.setAtIndex(TypedAccess.F32, i, mv);
            v.setAtIndex(TypedAccess.F32, i, vv);
        }
    }

    /** The F64 twin of {@link #adamwF32} (gradient checks, exact comparisons). */
    static void adamwF64(MemorySegment p, long po, MemorySegment g, long go, MemorySegment m, MemorySegment v,
            int start, int end, AdamCoefficients c) {
        double w1 = 1 - c.beta1();
        double w2 = 1 - c.beta2();
        for (int i = start; i < end; i++) {
            double pv = p.getAtIndex(TypedAccess.F64, po + i) * c.decay();
            double gv = g.getAtIndex(TypedAccess.F64, go + i);
            double mv = m.getAtIndex(TypedAccess.F64, i);
            double vv = v.getAtIndex(TypedAccess.F64, i);
            double diff = gv - mv;
            mv = w1 < 0.5 ? mv + diff * w1 : gv - diff * (1 - w1);
            vv = vv * c.beta2() + gv * w2 * gv;
            double denom = Math.sqrt(vv) / c.bc2Sqrt() + c.eps();
            pv = pv - mv / denom * c.stepSize();
            p.setAtIndex(TypedAccess.F64, po + i, pv);
            m.setAtIndex(TypedAccess.F64, i, mv);
            v.setAtIndex(TypedAccess.F64, i, vv);
        }
    }

    /** Scalars of one SGD step; {@code firstStep} initialises the momentum buffer to d. */
    record SgdCoefficients(double lr, double weightDecay, double momentum, double dampening, boolean nesterov,
            boolean firstStep) {
    }

    /**
     * torch.optim.SGD: d = g + wd·p; with momentum b ← d on the first step, else
     * b ← μ·b + (1 − τ)·d, then d = d + μ·b (Nesterov) or d = b; p ← p − lr·d. {@code b} is null
     * without momentum.
     */
    static void sgdF32(MemorySegment p, long po, MemorySegment g, long go, MemorySegment b, int start, int end,
            SgdCoefficients c) {
        float wd = (float) c.weightDecay();
        float mu = (float) c.momentum();
        float damp = (float) (1 - c.dampening());
        float negLr = (float) -c.lr();
        boolean decay = c.weightDecay() != 0;
        boolean momentum = b != null;
        int i = start;
        int upper = start + S.loopBound(end - start);
        for (; i < upper; i += S.length()) {
            FloatVector pv = FloatVector.fromMemorySegment(S, p, (po + i) * 4, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(S, g, (go + i) * 4, ORDER);
            if (decay) {
                d = d.add(pv.mul(wd));
            }
            if (momentum) {
                FloatVector bv = c.firstStep() ? d
                        : FloatVector.fromMemorySegment(S, b, i * 4L, ORDER).mul(mu).add(d.mul(damp));
                bv.intoMemorySegment(b, i * 4L, ORDER);
                d = c.nesterov() ? d.add(bv.mul(mu)) : bv;
            }
            pv.add(d.mul(negLr)).intoMemorySegment(p, (po + i) * 4, ORDER);
        }
        for (; i < end; i++) {
            float pv = p.getAtIndex(TypedAccess.F32, po + i);
            float d = g.getAtIndex(TypedAccess.F32, go + i);
            if (decay) {
                d = d + pv * wd;
            }
            if (momentum) {
                float bv = c.firstStep() ? d : b.getAtIndex(TypedAccess.F32, i) * mu + d * damp;
                b.setAtIndex(TypedAccess.F32, i, bv);
                d = c.nesterov() ? d + bv * mu : bv;
            }
            p.setAtIndex(TypedAccess.F32, po + i, pv + d * negLr);
        }
    }

    static void sgdF64(MemorySegment p, long po, MemorySegment g, long go, MemorySegment b, int start, int end,
            SgdCoefficients c) {
        for (int i = start; i < end; i++) {
            double pv = p.getAtIndex(TypedAccess.F64, po + i);
            double d = g.getAtIndex(TypedAccess.F64, go + i);
            if (c.weightDecay() != 0) {
                d = d + pv * c.weightDecay();
            }
            if (b != null) {
                double bv = c.firstStep() ? d
                        : b.getAtIndex(TypedAccess.F64, i) * c.momentum() + d * (1 - c.dampening());
                b.setAtIndex(TypedAccess.F64, i, bv);
                d = c.nesterov() ? d + bv * c.momentum() : bv;
            }
            p.setAtIndex(TypedAccess.F64, po + i, pv - d * c.lr());
        }
    }
}
