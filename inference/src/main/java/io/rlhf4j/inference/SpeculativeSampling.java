package io.rlhf4j.inference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.generation.LogitsProcessor;
import java.util.List;

/**
 * The arithmetic of speculative sampling (Leviathan et al. 2023, "Fast Inference from Transformers
 * via Speculative Decoding", Algorithm 1; Chen et al. 2023): a token x drawn from the draft's
 * distribution q is kept with probability min(1, p(x)/q(x)), otherwise replaced by a draw from
 * norm(max(0, p − q)); the token that comes out is then distributed exactly as the target's p.
 */
public final class SpeculativeSampling {

    private SpeculativeSampling() {
    }

    /** Each row of logits [R, V] after {@code warpers}, as probabilities (softmax in double). */
    public static double[][] probabilities(Tensor logits, List<LogitsProcessor> warpers) {
        Tensor warped = LogitsProcessor.applyAll(warpers, logits);
        int rows = warped.shape(0);
        int vocab = warped.shape(1);
        float[] all = warped.contiguous().toFloatArray();
        double[][] out = new double[rows][vocab];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, all[r * vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                double e = Math.exp(all[r * vocab + v] - max);
                out[r][v] = e;
                sum += e;
            }
            for (int v = 0; v < vocab; v++) {
                out[r][v] /= sum;
            }
        }
        return out;
    }

    /** min(1, p(x)/q(x)): the probability that draft token x is accepted. */
    public static double acceptance(double[] p, double[] q, int x) {
        if (!(q[x] > 0)) {
            throw new IllegalArgumentException("draft token " + x + " has draft probability " + q[x]
                    + "; it cannot have been drawn from q");
        }
        return Math.min(1.0, p[x] / q[x]);
    }

    /** norm(max(0, p − q)), the distribution a rejected token is redrawn from (p itself when p = q). */
    public static double[] residual(double[] p, double[] q) {
        double[] r = new double[p.length];
        double sum = 0;
        for (int v = 0; v < p.length; v++) {
            r[v] = Math.max(0, p[v] - q[v]);
            sum += r[v];
        }
        if (!(sum > 0)) {
            return p.clone();
        }
        for (int v = 0; v < p.length; v++) {
            r[v] /= sum;
        }
        return r;
    }

    /**
     * The distribution of the token emitted for draft token x: acceptance·δ_x + (1 − acceptance)·residual.
     * A rejected x is never redrawn (residual(x) = 0 whenever acceptance &lt; 1), so "emitted = x" means accepted.
     */
    public static double[] emitted(double[] p, double[] q, int x) {
        double a = acceptance(p, q, x);
        double[] out = residual(p, q);
        for (int v = 0; v < out.length; v++) {
            out[v] *= 1 - a;
        }
        out[x] += a;
        return out;
    }

    /** The index where the cumulative sum of {@code probs} first exceeds u ∈ [0, 1) (inverse CDF). */
    public static int sample(double[] probs, double u) {
        double cumulative = 0;
        int last = -1;
        for (int v = 0; v < probs.length; v++) {
            if (probs[v] > 0) {
                cumulative += probs[v];
                last = v;
                if (u < cumulative) {
                    return v;
                }
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("no token has positive probability");
        }
        return last;
    }

    /** The first index of the largest value (torch.argmax's choice on ties). */
    public static int argmax(float[] row) {
        int best = 0;
        for (int v = 1; v < row.length; v++) {
            if (row[v] > row[best]) {
                best = v;
            }
        }
        return best;
    }
}
