package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.Tensor;

/**
 * One micro-batch's PPO loss as TRL's PPOTrainer.train() computes it inside its PPO epochs
 * (trl/experimental/ppo/ppo_trainer.py, from {@code vpredclipped} to
 * {@code loss = pg_loss + args.vf_coef * vf_loss}), plus an optional entropy bonus (the
 * specification's entropy regularisation; TRL only logs the entropy):
 *
 * <pre>
 *   ρ = exp((logp − logp_old)·m)
 *   pg = masked_mean(max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)), m)
 *   V' = V·m',  V_clip = clamp(V', V_old − ε_v, V_old + ε_v)
 *   vf = ½·masked_mean(max((V' − R)², (V_clip − R)²), m')
 *   loss = pg + vf_coef·vf − ent_coef·masked_mean(H, m)
 * </pre>
 *
 * with m the response mask and m' the value mask of {@link PPOAdvantages}. masked_mean divides by
 * max(Σ mask, 1) (TRL divides by Σ mask, which is NaN for an empty response). All tensors [B, C]
 * of one floating dtype; the loss differentiates into {@code logp}, {@code values} and {@code entropy}.
 */
public final class PPOLoss {

    /** The hyper-parameters: cliprange ε, cliprange_value ε_v, vf_coef, ent_coef. */
    public record Params(double cliprange, double cliprangeValue, double vfCoef, double entCoef) {
    }

    /**
     * The statistics TRL logs per micro-batch.
     *
     * @param approxKl  ½·mean((logp − logp_old)²) over every position (0 off m)
     * @param ratioMean mean of ρ over every position
     */
    public record Stats(double policyLoss, double valueLoss, double policyClipfrac, double valueClipfrac,
            double approxKl, double ratioMean, double entropy) {
    }

    public record Result(Tensor loss, Stats stats) {
    }

    private PPOLoss() {
    }

    /**
     * @param entropy per-token entropy of the policy [B, C], or null (then ent_coef is ignored and
     *                the logged entropy is 0)
     */
    public static Result apply(Tensor logp, Tensor values, Tensor entropy, Tensor oldLogp, Tensor advantages,
            Tensor returns, Tensor oldValues, Tensor responseMask, Tensor valueMask, Params p) {
        Tensor diff = logp.sub(oldLogp).mul(responseMask);
        Tensor ratio = diff.exp();
        Tensor negAdv = advantages.neg();
        Tensor pg1 = negAdv.mul(ratio);
        Tensor pg2 = negAdv.mul(ratio.clamp(1 - p.cliprange(), 1 + p.cliprange()));
        Tensor pgLoss = maskedMean(pg1.maximum(pg2), responseMask);
        Tensor v = values.mul(valueMask);
        Tensor vClipped = v.maximum(oldValues.sub(p.cliprangeValue())).minimum(oldValues.add(p.cliprangeValue()));
        Tensor vf1 = v.sub(returns).square();
        Tensor vf2 = vClipped.sub(returns).square();
        Tensor vfLoss = maskedMean(vf1.maximum(vf2), valueMask).mul(0.5);
        Tensor loss = pgLoss.add(vfLoss.mul(p.vfCoef()));
        double meanEntropy = 0;
        if (entropy != null) {
            Tensor h = maskedMean(entropy, responseMask);
            meanEntropy = h.item();
            if (p.entCoef() != 0) {
                loss = loss.sub(h.mul(p.entCoef()));
            }
        }
        Stats stats = new Stats(pgLoss.item(), vfLoss.item(), fraction(pg2, pg1, responseMask),
                fraction(vf2, vf1, valueMask), halfMeanSquare(diff), ratio.detach().mean().item(), meanEntropy);
        return new Result(loss, stats);
    }

    /** Σ x·m / max(Σ m, 1), differentiable in x. */
    static Tensor maskedMean(Tensor x, Tensor mask) {
        double count = Math.max(mask.sum().item(), 1);
        return x.mul(mask).sum().div(count);
    }

    /** masked_mean((a &gt; b).float(), m). */
    private static double fraction(Tensor a, Tensor b, Tensor mask) {
        double[] x = a.detach().toDoubleArray();
        double[] y = b.detach().toDoubleArray();
        double[] m = mask.toDoubleArray();
        double hits = 0;
        double count = 0;
        for (int i = 0; i < x.length; i++) {
            hits += x[i] > y[i] ? m[i] : 0;
            count += m[i];
        }
        return hits / Math.max(count, 1);
    }

    private static double halfMeanSquare(Tensor diff) {
        double[] d = diff.detach().toDoubleArray();
        double s = 0;
        for (double x : d) {
            s += x * x;
        }
        return 0.5 * s / d.length;
    }
}
