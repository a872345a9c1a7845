package io.rlhf4j.trainers.kto;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.trainers.config.KTOConfig;

/**
 * The KTO losses of TRL 1.13 (trl/trainer/kto_trainer.py, KTOTrainer._compute_loss) on summed
 * completion log-probs. With the log-ratio ρ = logπ(y|x) − logπ_ref(y|x), β = beta, the reference
 * point z0 (see {@link KLReference}), λ_D = desirable_weight and λ_U = undesirable_weight, per example:
 * <ul>
 *   <li>kto (Eq. 7 of the KTO paper): desirable λ_D·(1 − σ(β(ρ − z0))), undesirable λ_U·(1 − σ(β(z0 − ρ)))</li>
 *   <li>apo_zero_unpaired: desirable λ_D·(1 − σ(βρ)), undesirable λ_U·σ(βρ) (kto with z0 = 0)</li>
 * </ul>
 * TRL's batch loss is the mean over the batch's examples; z0 carries no gradient. The implicit
 * reward of an example is βρ.
 */
public final class KTOLoss {

    private final double beta;
    private final double desirableWeight;
    private final double undesirableWeight;
    private final boolean usesKl;

    public KTOLoss(double beta, double desirableWeight, double undesirableWeight, String lossType) {
        if (!KTOConfig.LOSS_TYPES.contains(lossType)) {
            throw new IllegalArgumentException("unknown KTO loss_type '" + lossType + "', expected one of "
                    + KTOConfig.LOSS_TYPES);
        }
        this.beta = beta;
        this.desirableWeight = desirableWeight;
        this.undesirableWeight = undesirableWeight;
        this.usesKl = "kto".equals(lossType);
    }

    public static KTOLoss of(KTOConfig config) {
        return new KTOLoss(config.beta, config.desirableWeight, config.undesirableWeight, config.lossType);
    }

    /** Whether the loss has a KL reference point (kto) or not (apo_zero_unpaired). */
    public boolean usesKl() {
        return usesKl;
    }

    /**
     * TRL's batch KL estimate before clamping: the mean over the batch of
     * logπ(y'|x) − logπ_ref(y'|x) on the mismatched pairs (x, y').
     *
     * @param klLogps    [B] summed completion log-probs of the mismatched sequences under the policy
     * @param refKlLogps [B] the same under the reference
     */
    public static double batchKl(Tensor klLogps, Tensor refKlLogps) {
        double[] p = klLogps.toDoubleArray();
        double[] r = refKlLogps.toDoubleArray();
        if (p.length != r.length || p.length == 0) {
            throw new IllegalArgumentException("KL log-probs of " + p.length + " and reference KL log-probs of "
                    + r.length + " sequences: need the same, non-zero count");
        }
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += p[i] - r[i];
        }
        return sum / p.length;
    }

    /**
     * @param logps     [B] summed completion log-probs under the policy (differentiable)
     * @param refLogps  [B] the same under the reference (no gradient)
     * @param desirable per example, its label
     * @param z0        the KL reference point, already clamped at 0 (ignored by apo_zero_unpaired)
     */
    public KTOLosses compute(Tensor logps, Tensor refLogps, boolean[] desirable, double z0) {
        int b = logps.shape(0);
        if (refLogps.shape(0) != b || desirable.length != b) {
            throw new IllegalArgumentException("logps [" + b + "], refLogps [" + refLogps.shape(0) + "] and "
                    + desirable.length + " labels must agree");
        }
        double point = usesKl ? z0 : 0;
        double[] sign = new double[b];
        double[] weight = new double[b];
        for (int i = 0; i < b; i++) {
            sign[i] = desirable[i] ? beta : -beta;
            weight[i] = desirable[i] ? desirableWeight : undesirableWeight;
        }
        Tensor rho = logps.sub(refLogps);
        Tensor perExample = rho.sub(point).mul(Tensor.of(sign, b).to(rho.dtype())).sigmoid().rsub(1)
                .mul(Tensor.of(weight, b).to(rho.dtype()));
        double[] rewards = rho.toDoubleArray();
        for (int i = 0; i < b; i++) {
            rewards[i] *= beta;
        }
        return new KTOLosses(perExample, usesKl ? z0 : 0, rewards, logps.toDoubleArray(), desirable.clone());
    }
}
