package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.ops.Elementwise.BinaryOp;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One row of a binary elementwise op: o[i·os] = a[i·as] op b[i·bs]. The operation is chosen
 * outside the loop so each loop is a single specialised body; unit-stride F32 rows use vector
 * loads.
 */
final class BinaryKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private BinaryKernels() {
    }

    static void rowF32(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
            MemorySegment o, long oo, long os, int n) {
        int i = 0;
        if (as == 1 && bs == 1 && os == 1 && op != BinaryOp.MAX_GRAD_SHARE && op != BinaryOp.EQ) {
            VectorOperators.Binary vop = switch (op) {
                case ADD -> VectorOperators.ADD;
                case SUB -> VectorOperators.SUB;
                case MUL -> VectorOperators.MUL;
                case DIV -> VectorOperators.DIV;
                case MAX -> VectorOperators.MAX;
                case MIN -> VectorOperators.MIN;
                case MAX_GRAD_SHARE, EQ -> throw new IllegalStateException(op.toString());
            };
            int bound = F.loopBound(n);
            ByteOrder le = ByteOrder.LITTLE_ENDIAN;
            for (; i < bound; i += F.length()) {
                FloatVector va = FloatVector.fromMemorySegment(F, a, (ao + i) * 4, le);
                FloatVector vb = FloatVector.fromMemorySegment(F, b, (bo + i) * 4, le);
                va.lanewise(vop, vb).intoMemorySegment(o, (oo + i) * 4, le);
            }
        }
        for (; i < n; i++) {
            float x = a.getAtIndex(TypedAccess.F32, ao + i * as);
            float y = b.getAtIndex(TypedAccess.F32, bo + i * bs);
            o.setAtIndex(TypedAccess.F32, oo + i * os, (float) apply(op, x, y));
        }
    }

    static void rowF64(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
            MemorySegment o, long oo, long os, int n) {
        for (int i = 0; i < n; i++) {
            double x = a.getAtIndex(TypedAccess.F64, ao + i * as);
            double y = b.getAtIndex(TypedAccess.F64, bo + i * bs);
            o.setAtIndex(TypedAccess.F64, oo + i * os, apply(op, x, y));
        }
    }

    /** The scalar definition every vector path must agree with. F32 inputs stay F32 exact for + − × ÷. */
    static double apply(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case MAX_GRAD_SHARE -> x > y ? 1 : x == y ? 0.5 : 0;
            case EQ -> x == y ? 1 : 0;
        };
    }
}
