package io.rlhf4j.engine.rl;

import io.rlhf4j.engine.cpu.Parallel;

/**
 * Generalised advantage estimation over a batch of sequences laid out {@code [batch, len]}
 * row-major, as TRL's PPOTrainer computes it:
 *
 * <pre>
 *   v_t = values_t·mask_t,  r_t = rewards_t·mask_t
 *   delta_t = r_t + γ·v_{t+1} − v_t        (v_len = 0: nothing past the end)
 *   A_t = delta_t + γ·λ·A_{t+1}             (A_len = 0)
 *   returns_t = A_t + v_t
 * </pre>
 *
 * The recursion runs through masked positions like TRL's {@code lastgaelam}; with the mask
 * zeroing rewards and values there, trailing padding contributes nothing. Whitening the
 * advantages is a separate step. CPU twin of kernels/src/main/cuda/gae.cu.
 */
public final class Gae {

    private Gae() {
    }

    /** Fills {@code advantages} and {@code returns} (each {@code batch·len}) in F64. */
    public static void compute(double[] rewards, double[] values, double[] mask, int batch, int len,
                               double gamma, double lambda, double[] advantages, double[] returns) {
        long n = (long) batch * len;
        Checks.length("rewards", rewards.length, n);
        Checks.length("values", values.length, n);
        Checks.length("mask", mask.length, n);
        Checks.length("advantages", advantages.length, n);
        Checks.length("returns", returns.length, n);
        Parallel.forRange(batch, Math.max(1, 4096 / Math.max(1, len)), (start, end) -> {
            for (int b = start; b < end; b++) {
                int row = b * len;
                double lastAdv = 0;
                double nextValue = 0;
                for (int t = len - 1; t >= 0; t--) {
                    double v = values[row + t] * mask[row + t];
                    double delta = rewards[row + t] * mask[row + t] + gamma * nextValue - v;
                    lastAdv = delta + gamma * lambda * lastAdv;
                    advantages[row + t] = lastAdv;
                    returns[row + t] = lastAdv + v;
                    nextValue = v;
                }
            }
        });
    }

    /** F32 inputs and outputs, computed in F64 and rounded once. */
    public static void compute(float[] rewards, float[] values, float[] mask, int batch, int len,
                               double gamma, double lambda, float[] advantages, float[] returns) {
        Checks.length("advantages", advantages.length, (long) batch * len);
        Checks.length("returns", returns.length, (long) batch * len);
        double[] adv = new double[advantages.length];
        double[] ret = new double[returns.length];
        compute(Checks.widen(rewards), Checks.widen(values), Checks.widen(mask), batch, len,
                gamma, lambda, adv, ret);
        Checks.narrow(adv, advantages);
        Checks.narrow(ret, returns);
    }
}
