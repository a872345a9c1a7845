package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Per-token log-probabilities log softmax(logits)[id] = logits[id] − logsumexp(logits) for
 * logits [..., V] and ids [...], the quantity every RLHF loss reads (TRL's
 * {@code selective_log_softmax}). The log-sum-exp is online over vocabulary chunks (one pass, see
 * {@link VocabRows}); the only saved state is that per-row log-sum-exp, O(B·T), never B·T·V
 * probabilities. Backward writes dlogits = g·(onehot(id) − softmax) row by row, recomputing
 * exp(logit − lse); the gradient tensor itself is B·T·V, in the logits' dtype.
 *
 * <p>BF16 logits are read as BF16 and computed in F32 (F16 logits are widened to an F32 copy
 * first); results are F32 (F64 for F64 logits). An id outside [0, V) is an error naming the id
 * and V; there is no ignore index (mask the result instead).
 */
public final class LogSoftmaxGather {

    private LogSoftmaxGather() {
    }

    public static Tensor apply(Tensor logits, Tensor ids) {
        VocabRows.Logits l = VocabRows.Logits.of(logits);
        int[] lead = Arrays.copyOf(logits.shape(), logits.rank() - 1);
        if (!Arrays.equals(lead, ids.shape()) || ids.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("ids must be an integer tensor of shape " + Arrays.toString(lead)
                    + " (the logits' shape without the vocabulary dimension), got " + ids.dtype() + Arrays.toString(ids.shape()));
        }
        long[] id = ids.toLongArray();
        int vocab = l.vocab();
        for (int r = 0; r < id.length; r++) {
            if (id[r] < 0 || id[r] >= vocab) {
                throw new IllegalArgumentException("id " + id[r] + " at flat position " + r
                        + " is out of range for a vocabulary of size V = " + vocab);
            }
        }
        DType type = l.computeType();
        int rows = id.length;
        Tensor out = Tensor.empty(type, ids.shape());
        Tensor lse = Tensor.empty(DType.F64, rows);
        RowMath m = RowMath.of(type);
        MemorySegment os = out.segment();
        MemorySegment ls = lse.segment();
        RowMath f64 = RowMath.F64;
        Parallel.forRange(rows, 1, (r0, r1) -> {
            float[] buf = new float[VocabRows.CHUNK];
            for (int r = r0; r < r1; r++) {
                long off = l.row(r);
                double z = VocabRows.logSumExp(l, off, vocab, buf);
                f64.set(ls, r, z);
                m.set(os, r, l.get(off + id[r]) - z);
            }
        });
        return Autograd.record(out, "log_softmax_gather", g -> new Tensor[] {backward(l, id, lse, g, logits.dtype()), null},
                logits, ids);
    }

    private static Tensor backward(VocabRows.Logits l, long[] id, Tensor lse, Tensor g, DType logitsType) {
        double[] gr = g.toDoubleArray();
        double[] z = lse.toDoubleArray();
        int vocab = l.vocab();
        Tensor grad = Tensor.empty(l.type(), l.shape());
        MemorySegment gs = grad.segment();
        Parallel.forRange(id.length, 1, (r0, r1) -> {
            float[] buf = new float[VocabRows.CHUNK];
            for (int r = r0; r < r1; r++) {
                long off = l.row(r);
                long go = (long) r * vocab;
                VocabRows.writeSoftmax(l, off, vocab, z[r], -gr[r], 0, gs, go, buf);
                double p = Math.exp(l.get(off + id[r]) - z[r]);
                TypedAccess.set(gs, l.type(), go + id[r], gr[r] * (1 - p));
            }
        });
        return grad.to(logitsType);
    }
}
