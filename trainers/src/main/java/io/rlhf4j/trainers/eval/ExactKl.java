package io.rlhf4j.trainers.eval;

/**
 * Per-position KL between two next-token distributions given as logits, one vocabulary row at a
 * time: with p = softmax(a), q = softmax(b),
 * {@code KL(p ‖ q) = Σ_v p_v (log p_v − log q_v)}, where log p_v = a_v − lse(a) and
 * lse(a) = max a + log Σ exp(a − max a). Computed in F64 with two passes over each row (the
 * log-sum-exps, then the sum), so no probability vector is ever stored.
 */
public final class ExactKl {

    private ExactKl() {
    }

    /** log Σ_v exp(x[off + v]) over {@code vocab} entries. */
    public static double logSumExp(float[] x, int off, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, x[off + v]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("a logits row with every entry -inf has no distribution");
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(x[off + v] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * KL(softmax(p[pOff ..]) ‖ softmax(q[qOff ..])) over {@code vocab} entries. Terms with p_v = 0
     * contribute 0; a token the policy can emit but the reference cannot gives +inf.
     */
    public static double row(float[] p, int pOff, float[] q, int qOff, int vocab) {
        double lseP = logSumExp(p, pOff, vocab);
        double lseQ = logSumExp(q, qOff, vocab);
        double kl = 0;
        for (int v = 0; v < vocab; v++) {
            double logP = p[pOff + v] - lseP;
            double prob = Math.exp(logP);
            if (prob > 0) {
                kl += prob * (logP - (q[qOff + v] - lseQ));
            }
        }
        // Rounding can leave a tiny negative sum where the rows agree; KL itself is never negative.
        return Math.max(kl, 0.0);
    }
}
