package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.rl.Gae;
import io.rlhf4j.engine.rl.KlEstimators;

/**
 * A rollout's rewards, advantages and returns exactly as TRL's PPOTrainer.train() computes them
 * between generation and the PPO epochs (trl/experimental/ppo/ppo_trainer.py, "Response
 * Processing 3" to "6. compute advantages and returns"; trl 1.13 ships no PPO, that file is TRL's
 * last). Arrays are row-major [B, C] over the response positions; {@code seqLen[i]} is TRL's
 * {@code sequence_lengths}: the index of the last response token before the first pad (−1 when the
 * response starts with pad).
 *
 * <pre>
 *   response mask  m_t  = t ≤ seqLen           (~padding_mask: policy loss, advantage whitening)
 *   value mask     m'_t = t ≤ seqLen + 1       (~padding_mask_p1: value loss; values 0 elsewhere)
 *   logr = ref − logp (both 1.0 = INVALID_LOGPROB off m, so logr = 0 there)
 *   kl = −logr (k1)  or  exp(logr) − 1 − logr (k3);   rewards = −kl_coef·kl
 *   rewards[seqLen + 1, or seqLen when that is the last column] += score
 *   whiten_rewards: rewards = whiten(rewards over m', mean kept)·m'
 *   GAE(γ, λ) over the whole width (values 0 off m');  returns = A + V
 *   A = whiten(A over m)·m
 * </pre>
 *
 * The penalty {@code score −= missing_eos_penalty} for responses without EOS comes first.
 * Computed in F64 (TRL in float32).
 */
public final class PPOAdvantages {

    /** TRL's INVALID_LOGPROB: the log-probability written at padding positions. */
    public static final double INVALID_LOGPROB = 1.0;

    /**
     * @param logprobs    masked policy log-probabilities (INVALID_LOGPROB off the response mask)
     * @param refLogprobs masked reference log-probabilities
     * @param values      values, 0 off the value mask
     * @param responseMask 1 on t ≤ seqLen
     * @param valueMask    1 on t ≤ seqLen + 1
     * @param kl           per-token KL estimate
     * @param nonScoreReward −kl_coef·kl
     * @param rewards      the rewards GAE ran on
     * @param advantages   whitened advantages, 0 off the response mask
     * @param returns      A + V before whitening
     * @param scores       per-row scores after the missing-EOS penalty
     */
    public record Result(double[] logprobs, double[] refLogprobs, double[] values, double[] responseMask,
            double[] valueMask, double[] kl, double[] nonScoreReward, double[] rewards, double[] advantages,
            double[] returns, double[] scores) {
    }

    /** The hyper-parameters of this step (kl_coef is the controller's current value). */
    public record Params(double klCoef, KlEstimators.Kind estimator, boolean whitenRewards, double gamma,
            double lam, Double missingEosPenalty) {
    }

    private PPOAdvantages() {
    }

    public static Result compute(double[] logprobs, double[] refLogprobs, double[] values, double[] scores,
            int[] seqLen, boolean[] containsEos, int rows, int cols, Params p) {
        int n = rows * cols;
        check("logprobs", logprobs.length, n);
        check("refLogprobs", refLogprobs.length, n);
        check("values", values.length, n);
        check("scores", scores.length, rows);
        check("seqLen", seqLen.length, rows);
        check("containsEos", containsEos.length, rows);
        double[] s = scores.clone();
        if (p.missingEosPenalty() != null) {
            for (int i = 0; i < rows; i++) {
                if (!containsEos[i]) {
                    s[i] -= p.missingEosPenalty();
                }
            }
        }
        double[] lp = new double[n];
        double[] ref = new double[n];
        double[] v = new double[n];
        double[] m = new double[n];
        double[] m1 = new double[n];
        double[] kl = new double[n];
        double[] nonScore = new double[n];
        double[] rewards = new double[n];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < cols; t++) {
                int k = i * cols + t;
                boolean in = t <= seqLen[i];
                boolean in1 = t <= seqLen[i] + 1;
                m[k] = in ? 1 : 0;
                m1[k] = in1 ? 1 : 0;
                lp[k] = in ? logprobs[k] : INVALID_LOGPROB;
                ref[k] = in ? refLogprobs[k] : INVALID_LOGPROB;
                v[k] = in1 ? values[k] : 0;
                double logr = ref[k] - lp[k];
                kl[k] = p.estimator() == KlEstimators.Kind.K1 ? -logr : Math.exp(logr) - 1 - logr;
                nonScore[k] = -p.klCoef() * kl[k];
                rewards[k] = nonScore[k];
            }
            int end = seqLen[i] + 1 < cols ? seqLen[i] + 1 : seqLen[i];
            rewards[i * cols + end] += s[i];
        }
        if (p.whitenRewards()) {
            rewards = whiten(rewards, m1, false);
            for (int k = 0; k < n; k++) {
                rewards[k] *= m1[k];
            }
        }
        double[] adv = new double[n];
        double[] ret = new double[n];
        Gae.compute(rewards, v, m1, rows, cols, p.gamma(), p.lam(), adv, ret);
        double[] white = whiten(adv, m, true);
        for (int k = 0; k < n; k++) {
            white[k] *= m[k];
        }
        return new Result(lp, ref, v, m, m1, kl, nonScore, rewards, white, ret, s);
    }

    /**
     * TRL's masked_whiten: {@code (x − mean)·rsqrt(var + 1e-8)} with the masked mean and the
     * unbiased masked variance (Bessel's n/(n−1)); {@code shiftMean = false} adds the mean back.
     */
    static double[] whiten(double[] x, double[] mask, boolean shiftMean) {
        double count = 0;
        double sum = 0;
        for (int k = 0; k < x.length; k++) {
            count += mask[k];
            sum += x[k] * mask[k];
        }
        if (count < 2) {
            throw new IllegalArgumentException("whitening needs at least 2 unmasked positions, got " + count
                    + " (a larger batch avoids this)");
        }
        double mean = sum / count;
        double sq = 0;
        for (int k = 0; k < x.length; k++) {
            double c = x[k] - mean;
            sq += c * c * mask[k];
        }
        double var = sq / count * (count / (count - 1));
        double scale = 1 / Math.sqrt(var + 1e-8);
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (x[k] - mean) * scale + (shiftMean ? 0 : mean);
        }
        return out;
    }

    private static void check(String name, int length, int expected) {
        if (length != expected) {
            throw new IllegalArgumentException(name + " has " + length + " elements, expected " + expected);
        }
    }
}
