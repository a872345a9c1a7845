package io.rlhf4j.engine.rl;

/**
 * The PPO clipped surrogate (also GRPO's policy loss), per token with
 * {@code ratio = exp(logp − oldLogp)}:
 *
 * <pre>
 *   loss_i = max(−A_i·ratio, −A_i·clip(ratio, 1 − epsLow, 1 + epsHigh))
 *   d loss_i / d logp_i = 0             if A_i &gt; 0 and ratio &gt; 1 + epsHigh,
 *                                        or A_i &lt; 0 and ratio &lt; 1 − epsLow (clipped branch)
 *                       = −A_i·ratio    otherwise
 * </pre>
 *
 * reduced with {@link MaskedMean}. Advantages are per token ({@code advLen = 0}, PPO) or per
 * sequence ({@code advLen = T}: token i uses {@code adv[i / T]}, GRPO's
 * {@code advantages.unsqueeze(1)}). TRL writes the same loss as
 * {@code −min(ratio·A, clip(ratio)·A)}; {@code epsLow = epsHigh} is classic PPO, a larger
 * {@code epsHigh} is DAPO's clip-higher. CPU twin of {@code rl_ppo_clip_fwd_f32} /
 * {@code rl_ppo_clip_bwd_f32} in kernels/src/main/cuda/rl_losses.cu.
 */
public final class PpoClipLoss {

    private final double epsLow;
    private final double epsHigh;
    private final int advLen;

    /**
     * @param advLen 0 for per-token advantages, or the sequence length T for one advantage per
     *               sequence
     */
    public PpoClipLoss(double epsLow, double epsHigh, int advLen) {
        if (!(epsLow >= 0 && epsLow < 1) || !(epsHigh >= 0)) {
            throw new IllegalArgumentException("clip range needs 0 <= epsLow < 1 and epsHigh >= 0, got epsLow "
                    + epsLow + ", epsHigh " + epsHigh);
        }
        if (advLen < 0) {
            throw new IllegalArgumentException("advLen must be >= 0, got " + advLen);
        }
        this.epsLow = epsLow;
        this.epsHigh = epsHigh;
        this.advLen = advLen;
    }

    /** Per-token losses (unmasked). */
    public void perToken(double[] logp, double[] oldLogp, double[] adv, double[] out) {
        check(logp, oldLogp, adv, out);
        for (int i = 0; i < logp.length; i++) {
            double a = advantage(adv, i);
            double ratio = Math.exp(logp[i] - oldLogp[i]);
            double clipped = Math.min(Math.max(ratio, 1 - epsLow), 1 + epsHigh);
            out[i] = Math.max(-a * ratio, -a * clipped);
        }
    }

    /** The masked mean of the per-token losses. */
    public double loss(double[] logp, double[] oldLogp, double[] adv, double[] mask) {
        double[] perToken = new double[logp.length];
        perToken(logp, oldLogp, adv, perToken);
        return MaskedMean.of(perToken, mask);
    }

    /** F32 inputs, computed in F64 and rounded once. */
    public float loss(float[] logp, float[] oldLogp, float[] adv, float[] mask) {
        return (float) loss(Checks.widen(logp), Checks.widen(oldLogp), Checks.widen(adv), Checks.widen(mask));
    }

    /** Gradient of {@code gradOut·loss} with respect to logp. */
    public void grad(double[] logp, double[] oldLogp, double[] adv, double[] mask, double gradOut,
                     double[] gradLogp) {
        check(logp, oldLogp, adv, gradLogp);
        Checks.sameLength("logp", logp.length, "mask", mask.length);
        double scale = gradOut / MaskedMean.denominator(MaskedMean.count(mask));
        for (int i = 0; i < logp.length; i++) {
            if (mask[i] == 0) {
                gradLogp[i] = 0;
                continue;
            }
            double a = advantage(adv, i);
            double ratio = Math.exp(logp[i] - oldLogp[i]);
            boolean clipped = (a > 0 && ratio > 1 + epsHigh) || (a < 0 && ratio < 1 - epsLow);
            gradLogp[i] = clipped ? 0 : -a * ratio * mask[i] * scale;
        }
    }

    /** F32 inputs and output, computed in F64 and rounded once. */
    public void grad(float[] logp, float[] oldLogp, float[] adv, float[] mask, double gradOut, float[] gradLogp) {
        double[] g = new double[gradLogp.length];
        grad(Checks.widen(logp), Checks.widen(oldLogp), Checks.widen(adv), Checks.widen(mask), gradOut, g);
        Checks.narrow(g, gradLogp);
    }

    private double advantage(double[] adv, int i) {
        return adv[advLen > 0 ? i / advLen : i];
    }

    private void check(double[] logp, double[] oldLogp, double[] adv, double[] out) {
        Checks.sameLength("logp", logp.length, "oldLogp", oldLogp.length);
        Checks.sameLength("logp", logp.length, "out", out.length);
        if (advLen == 0) {
            Checks.sameLength("logp", logp.length, "adv (per token)", adv.length);
        } else if (logp.length % advLen != 0 || adv.length != logp.length / advLen) {
            throw new IllegalArgumentException("per-sequence adv needs " + logp.length + " / " + advLen
                    + " elements, has " + adv.length);
        }
    }
}
