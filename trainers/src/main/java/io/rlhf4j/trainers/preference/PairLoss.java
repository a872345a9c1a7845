package io.rlhf4j.trainers.preference;

import io.rlhf4j.engine.Tensor;

/**
 * A preference loss over B pairs and what TRL logs beside it.
 *
 * @param perPair         [B], differentiable: the batch loss is its mean (TRL) or, in the shared
 *                        loop, its sum over the window's pairs
 * @param chosenRewards   [B] implicit rewards of the chosen responses (detached)
 * @param rejectedRewards [B] of the rejected ones
 * @param chosenLogps     [B] the chosen log-probs the loss used (sums for DPO, means for SimPO)
 * @param rejectedLogps   [B]
 */
public record PairLoss(Tensor perPair, double[] chosenRewards, double[] rejectedRewards, double[] chosenLogps,
        double[] rejectedLogps) {

    /**
     * A loss whose rewards are β·{@code chosenScores} and β·{@code rejectedScores} (the log-ratios
     * for DPO, the average log-probs for SimPO).
     */
    public static PairLoss of(Tensor perPair, double beta, Tensor chosenScores, Tensor rejectedScores,
            Tensor chosenLogps, Tensor rejectedLogps) {
        return new PairLoss(perPair, scaled(chosenScores, beta), scaled(rejectedScores, beta),
                chosenLogps.toDoubleArray(), rejectedLogps.toDoubleArray());
    }

    /**
     * −(1−ε)·logσ(u) − ε·logσ(−u): the label-smoothed logistic loss of DPO's sigmoid and SimPO
     * (ε = the probability that a preference label is flipped); −logσ(u) when ε = 0.
     */
    public static Tensor smoothedLogistic(Tensor u, double eps) {
        return eps == 0 ? u.logsigmoid().neg() : u.logsigmoid().mul(-(1 - eps)).sub(u.neg().logsigmoid().mul(eps));
    }

    private static double[] scaled(Tensor t, double beta) {
        double[] r = t.toDoubleArray();
        for (int i = 0; i < r.length; i++) {
            r[i] *= beta;
        }
        return r;
    }

    /** The batch loss TRL reports: the mean over pairs. */
    public Tensor mean() {
        return perPair.mean();
    }
}
