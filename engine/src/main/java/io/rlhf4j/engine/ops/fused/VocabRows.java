package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.cpu.VectorMath;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels over a vocabulary dimension for {@link LogSoftmaxGather} and {@link CrossEntropy}.
 * Logits are read in their storage dtype (F32, BF16 or F64; BF16 is widened chunk by chunk into
 * a small F32 buffer, never as a whole tensor) and processed in chunks of {@value #CHUNK}: the
 * log-sum-exp is online over chunks (running max M and sum Σ e^(x − M), rescaled when a chunk
 * raises the max), so each row is read once and no V-sized temporary exists.
 */
final class VocabRows {

    static final int CHUNK = 2048;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Storage dtype, strides and base offset of a logits tensor [..., V] with unit last stride. */
    record Logits(Tensor tensor, DType type, int vocab, long rows, int[] shape, long[] strides) {

        static Logits of(Tensor logits) {
            Tensor t = logits.detach();
            if (t.dtype() != DType.F32 && t.dtype() != DType.BF16 && t.dtype() != DType.F64) {
                t = t.to(DType.F32);
            }
            if (t.rank() == 0) {
                throw new IllegalArgumentException("logits must have a vocabulary dimension, got a scalar");
            }
            if (t.strides()[t.rank() - 1] != 1) {
                t = t.contiguous();
            }
            int vocab = t.shape(-1);
            return new Logits(t, t.dtype(), vocab, t.numel() / Math.max(1, vocab), t.shape(), t.strides());
        }

        /** Element offset of row r (the rows are the leading dimensions flattened). */
        long row(long r) {
            long o = tensor.offset();
            long rem = r;
            for (int d = shape.length - 2; d >= 0; d--) {
                o += rem % shape[d] * strides[d];
                rem /= shape[d];
            }
            return o;
        }

        double get(long index) {
            return TypedAccess.get(tensor.segment(), type, index);
        }

        /** The compute dtype of results: F64 for F64 logits, F32 otherwise. */
        DType computeType() {
            return type == DType.F64 ? DType.F64 : DType.F32;
        }
    }

    private VocabRows() {
    }

    /** Copies elements [from, from + n) of a row into buf as F32. */
    private static void load(MemorySegment s, DType type, long from, int n, float[] buf) {
        if (type == DType.F32) {
            MemorySegment.copy(s, TypedAccess.F32, from * 4, buf, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                buf[i] = TypedAccess.bf16ToFloat(s.getAtIndex(TypedAccess.I16, from + i));
            }
        }
    }

    /** log Σⱼ exp(x[off + j]) over j < n, online over chunks. */
    static double logSumExp(Logits l, long off, int n, float[] buf) {
        MemorySegment s = l.tensor().segment();
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int c = 0; c < n; c += CHUNK) {
            int len = Math.min(CHUNK, n - c);
            double chunkMax;
            double chunkSum;
            if (l.type() == DType.F64) {
                chunkMax = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    chunkMax = Math.max(chunkMax, s.getAtIndex(TypedAccess.F64, off + c + i));
                }
                chunkSum = 0;
                if (chunkMax != Double.NEGATIVE_INFINITY) {
                    for (int i = 0; i < len; i++) {
                        chunkSum += Math.exp(s.getAtIndex(TypedAccess.F64, off + c + i) - chunkMax);
                    }
                }
            } else {
                load(s, l.type(), off + c, len, buf);
                chunkMax = max(buf, len);
                chunkSum = chunkMax == Double.NEGATIVE_INFINITY ? 0 : sumExp(buf, len, (float) chunkMax);
            }
            if (Double.isNaN(chunkMax)) {
                return Double.NaN;
            }
            if (chunkMax == Double.NEGATIVE_INFINITY) {
                continue;
            }
            if (chunkMax > max) {
                sum = sum * Math.exp(max - chunkMax) + chunkSum;
                max = chunkMax;
            } else {
                sum += chunkSum * Math.exp(chunkMax - max);
            }
        }
        return max + Math.log(sum);
    }

    /** Σⱼ x[off + j] over j < n. */
    static double sum(Logits l, long off, int n, float[] buf) {
        MemorySegment s = l.tensor().segment();
        double total = 0;
        for (int c = 0; c < n; c += CHUNK) {
            int len = Math.min(CHUNK, n - c);
            if (l.type() == DType.F64) {
                for (int i = 0; i < len; i++) {
                    total += s.getAtIndex(TypedAccess.F64, off + c + i);
                }
            } else {
                load(s, l.type(), off + c, len, buf);
                FloatVector acc = FloatVector.zero(S);
                int i = 0;
                for (int bound = S.loopBound(len); i < bound; i += S.length()) {
                    acc = acc.add(FloatVector.fromArray(S, buf, i));
                }
                float part = VectorMath.sum(acc);
                for (; i < len; i++) {
                    part += buf[i];
                }
                total += part;
            }
        }
        return total;
    }

    /**
     * Writes out[oo + j] = scale·exp(x[off + j] − lse) + shift for j < n, in the logits' storage
     * dtype (out is contiguous with that dtype).
     */
    static void writeSoftmax(Logits l, long off, int n, double lse, double scale, double shift, MemorySegment out, long oo,
            float[] buf) {
        MemorySegment s = l.tensor().segment();
        for (int c = 0; c < n; c += CHUNK) {
            int len = Math.min(CHUNK, n - c);
            if (l.type() == DType.F64) {
                for (int i = 0; i < len; i++) {
                    double p = Math.exp(s.getAtIndex(TypedAccess.F64, off + c + i) - lse);
                    out.setAtIndex(TypedAccess.F64, oo + c + i, scale * p + shift);
                }
                continue;
            }
            load(s, l.type(), off + c, len, buf);
            float fl = (float) lse;
            float fs = (float) scale;
            float fsh = (float) shift;
            int i = 0;
            for (int bound = S.loopBound(len); i < bound; i += S.length()) {
                VectorMath.exp(FloatVector.fromArray(S, buf, i).sub(fl)).fma(FloatVector.broadcast(S, fs), FloatVector.broadcast(S, fsh))
                        .intoArray(buf, i);
            }
            for (; i < len; i++) {
                buf[i] = Math.fma((float) Math.exp(buf[i] - fl), fs, fsh);
            }
            if (l.type() == DType.F32) {
                MemorySegment.copy(buf, 0, out, TypedAccess.F32, (oo + c) * 4, len);
            } else {
                for (int j = 0; j < len; j++) {
                    out.setAtIndex(TypedAccess.I16, oo + c + j, TypedAccess.floatToBf16(buf[j]));
                }
            }
        }
    }

    private static float max(float[] buf, int len) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.max(FloatVector.fromArray(S, buf, i));
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            m = Math.max(m, buf[i]);
        }
        return m;
    }

    private static double sumExp(float[] buf, int len, float shift) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.add(VectorMath.exp(FloatVector.fromArray(S, buf, i).sub(shift)));
        }
        double total = VectorMath.sum(acc);
        for (; i < len; i++) {
            total += (float) Math.exp(buf[i] - shift);
        }
        return total;
    }
}
