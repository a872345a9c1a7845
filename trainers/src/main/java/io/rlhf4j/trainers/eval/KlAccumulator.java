package io.rlhf4j.trainers.eval;

import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.rl.KlEstimators;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sums per-token KL(policy ‖ reference) over completion tokens, from the two models' logits at the
 * positions that predict them: the exact KL of the full next-token distributions
 * ({@link ExactKl}) and the sampled-token estimators k1 = r and k3 = exp(−r) − 1 + r with
 * r = log π(y) − log π_ref(y) ({@link KlEstimators}, Schulman 2020). Reports each averaged over
 * all completion tokens ({@code _token_mean}) and as the mean over sequences of the per-sequence
 * sum ({@code _seq_mean}, the sequence-level KL: the total over sequences / their count);
 * {@code kl}, the headline, is the exact token mean.
 */
public final class KlAccumulator {

    private double exactSum;
    private double k1Sum;
    private double k3Sum;
    private long tokens;
    private long sequences;

    /**
     * Adds one sequence: token j is {@code tokens[j]}, predicted by logits row {@code rows[j]} of
     * {@code policy} and {@code reference} (row-major, {@code vocab} wide).
     */
    public void addSequence(float[] policy, float[] reference, int vocab, int[] rows, long[] ids) {
        if (rows.length != ids.length) {
            throw new IllegalArgumentException("rows has " + rows.length + " entries for " + ids.length + " tokens");
        }
        int n = ids.length;
        double[] exact = new double[n];
        double[] logp = new double[n];
        double[] ref = new double[n];
        Parallel.forRange(n, 16, (start, end) -> {
            for (int j = start; j < end; j++) {
                int pOff = rows[j] * vocab;
                int token = Math.toIntExact(ids[j]);
                if (token < 0 || token >= vocab) {
                    throw new IllegalArgumentException("token id " + ids[j] + " is outside the vocabulary of "
                            + vocab);
                }
                exact[j] = ExactKl.row(policy, pOff, reference, pOff, vocab);
                logp[j] = policy[pOff + token] - ExactKl.logSumExp(policy, pOff, vocab);
                ref[j] = reference[pOff + token] - ExactKl.logSumExp(reference, pOff, vocab);
            }
        });
        double[] k1 = new double[n];
        double[] k3 = new double[n];
        KlEstimators.perToken(KlEstimators.Kind.K1, logp, ref, k1);
        KlEstimators.perToken(KlEstimators.Kind.K3, logp, ref, k3);
        double e = 0;
        double s1 = 0;
        double s3 = 0;
        for (int j = 0; j < n; j++) {
            e += exact[j];
            s1 += k1[j];
            s3 += k3[j];
        }
        exactSum += e;
        k1Sum += s1;
        k3Sum += s3;
        tokens += n;
        sequences++;
    }

    public long tokens() {
        return tokens;
    }

    /** The KL metrics of {@link EvalMetrics#KL}; NaN when no token was added. */
    public Map<String, Double> metrics() {
        double t = tokens == 0 ? Double.NaN : tokens;
        double s = sequences == 0 ? Double.NaN : sequences;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("kl", exactSum / t);
        m.put("kl_exact_token_mean", exactSum / t);
        m.put("kl_exact_seq_mean", exactSum / s);
        m.put("kl_k1_token_mean", k1Sum / t);
        m.put("kl_k1_seq_mean", k1Sum / s);
        m.put("kl_k3_token_mean", k3Sum / t);
        m.put("kl_k3_seq_mean", k3Sum / s);
        return m;
    }
}
