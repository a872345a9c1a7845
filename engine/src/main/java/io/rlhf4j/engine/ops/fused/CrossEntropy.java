package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * torch.nn.functional.cross_entropy for logits [N, V] and class targets [N], fused: one row pass
 * computes the log-sum-exp (online over vocabulary chunks) and the loss; backward writes
 * (softmax − target distribution)·scale row by row. With label smoothing ε the target
 * distribution is (1 − ε)·onehot + ε/V, so per row
 *
 * <pre>
 *   loss = (1 − ε)·(lse − x[t]) + ε/V·Σⱼ(lse − x[j])
 * </pre>
 *
 * as torch's cross_entropy_loss_label_smoothing. Rows whose target is {@code ignoreIndex} count
 * 0 and get gradient 0; MEAN divides by the number of other rows, so when every target is ignored
 * the mean is 0/0 = NaN, as in torch. Results are F32 (F64 for F64 logits), also for BF16 logits.
 */
public final class CrossEntropy {

    private CrossEntropy() {
    }

    public static Tensor apply(Tensor logits, Tensor targets, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("crossEntropy expects logits [N, V], got " + Arrays.toString(logits.shape())
                    + "; flatten leading dimensions first");
        }
        int rows = logits.shape(0);
        if (targets.rank() != 1 || targets.shape(0) != rows || targets.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("targets must be an integer tensor [" + rows + "], got " + targets.dtype()
                    + Arrays.toString(targets.shape()));
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        VocabRows.Logits l = VocabRows.Logits.of(logits);
        int vocab = l.vocab();
        long[] t = targets.toLongArray();
        int count = 0;
        for (int r = 0; r < rows; r++) {
            if (t[r] == ignoreIndex) {
                continue;
            }
            if (t[r] < 0 || t[r] >= vocab) {
                throw new IllegalArgumentException("target " + t[r] + " at row " + r + " is out of range for " + vocab
                        + " classes (and is not ignoreIndex " + ignoreIndex + ")");
            }
            count++;
        }
        double eps = labelSmoothing;
        double[] loss = new double[rows];
        double[] lse = new double[rows];
        Parallel.forRange(rows, 1, (r0, r1) -> {
            float[] buf = new float[VocabRows.CHUNK];
            for (int r = r0; r < r1; r++) {
                if (t[r] == ignoreIndex) {
                    continue;
                }
                long off = l.row(r);
                double z = VocabRows.logSumExp(l, off, vocab, buf);
                lse[r] = z;
                double nll = z - l.get(off + t[r]);
                double smooth = eps == 0 ? 0 : vocab * z - VocabRows.sum(l, off, vocab, buf);
                loss[r] = (1 - eps) * nll + eps / vocab * smooth;
            }
        });
        DType type = l.computeType();
        Tensor out;
        if (reduction == Reduction.NONE) {
            out = Tensor.of(loss, rows).to(type);
        } else {
            double total = 0;
            for (double v : loss) {
                total += v;
            }
            out = Tensor.full(reduction == Reduction.SUM ? total : total / count, type);
        }
        int valid = count;
        return Autograd.record(out, "cross_entropy", g -> new Tensor[] {
            backward(l, t, ignoreIndex, lse, rowScales(g, reduction, rows, valid), eps, logits.dtype()), null},
                logits, targets);
    }

    /** d(reduced loss)/d(loss of row r), times the incoming gradient. */
    private static double[] rowScales(Tensor g, Reduction reduction, int rows, int count) {
        if (reduction == Reduction.NONE) {
            return g.toDoubleArray();
        }
        double[] s = new double[rows];
        Arrays.fill(s, reduction == Reduction.SUM ? g.item() : g.item() / count);
        return s;
    }

    private static Tensor backward(VocabRows.Logits l, long[] t, long ignoreIndex, double[] lse, double[] scale, double eps,
            DType logitsType) {
        int vocab = l.vocab();
        Tensor grad = Tensor.empty(l.type(), l.shape());
        MemorySegment gs = grad.segment();
        int size = l.type().byteSize();
        Parallel.forRange(t.length, 1, (r0, r1) -> {
            float[] buf = new float[VocabRows.CHUNK];
            for (int r = r0; r < r1; r++) {
                long go = (long) r * vocab;
                if (t[r] == ignoreIndex) {
                    gs.asSlice(go * size, (long) vocab * size).fill((byte) 0);
                    continue;
                }
                long off = l.row(r);
                double c = scale[r];
                VocabRows.writeSoftmax(l, off, vocab, lse[r], c, -c * eps / vocab, gs, go, buf);
                double p = Math.exp(l.get(off + t[r]) - lse[r]);
                TypedAccess.set(gs, l.type(), go + t[r], c * (p - eps / vocab - (1 - eps)));
            }
        });
        return grad.to(logitsType);
    }
}
