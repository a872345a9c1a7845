package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import java.util.Arrays;
import java.util.List;

/**
 * The specification's ensemble of independently trained reward models: {@link #predict} scores
 * a batch with every member and returns the mean and spread, {@link #accuracy} compares mean
 * rewards of chosen and rejected completions. Members are used in evaluation mode (dropout off;
 * each member's previous mode is restored) and without autograd.
 */
public final class RewardModelEnsemble {

    private final List<RewardModel> members;

    public RewardModelEnsemble(List<RewardModel> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one reward model");
        }
        this.members = List.copyOf(members);
    }

    public List<RewardModel> members() {
        return members;
    }

    public int size() {
        return members.size();
    }

    /**
     * Per-sequence statistics over the members.
     *
     * @param mean      [B] F32, the mean reward
     * @param std       [B] F32, the sample standard deviation (Bessel's N − 1, torch.std's default,
     *                  what {@code torch.stack(rewards).std(0)} gives in the reference
     *                  implementation; the ensemble is a sample of the models training could
     *                  have produced). A single member has std 0, where torch gives NaN.
     * @param perMember [N, B] F32, each member's rewards
     */
    public record Prediction(Tensor mean, Tensor std, Tensor perMember) {
    }

    /** Scores {@code inputIds} [B, T] with every member (see {@link RewardModel#rewards}). */
    public Prediction predict(Tensor inputIds, Tensor attentionMask) {
        int n = members.size();
        int rows = inputIds.shape(0);
        float[] all = new float[n * rows];
        try (var _ = Grad.disabled()) {
            for (int m = 0; m < n; m++) {
                RewardModel model = members.get(m);
                boolean training = model.isTraining();
                model.eval();
                try {
                    float[] r = model.rewards(inputIds, attentionMask).toFloatArray();
                    System.arraycopy(r, 0, all, m * rows, rows);
                } finally {
                    model.train(training);
                }
            }
        }
        float[] mean = new float[rows];
        float[] std = new float[rows];
        for (int b = 0; b < rows; b++) {
            double sum = 0;
            for (int m = 0; m < n; m++) {
                sum += all[m * rows + b];
            }
            double mu = sum / n;
            double squares = 0;
            for (int m = 0; m < n; m++) {
                double d = all[m * rows + b] - mu;
                squares += d * d;
            }
            mean[b] = (float) mu;
            std[b] = n == 1 ? 0f : (float) Math.sqrt(squares / (n - 1));
        }
        return new Prediction(Tensor.of(mean, rows), Tensor.of(std, rows), Tensor.of(all, n, rows));
    }

    /**
     * The preference accuracy of the specification's evaluation: the fraction of pairs whose mean
     * ensemble reward is higher for the chosen than for the rejected sequence (ties count as wrong).
     */
    public double accuracy(Tensor chosenIds, Tensor chosenMask, Tensor rejectedIds, Tensor rejectedMask) {
        if (chosenIds.shape(0) != rejectedIds.shape(0)) {
            throw new IllegalArgumentException("chosen and rejected batches must have the same number of rows, got "
                    + chosenIds.shape(0) + " and " + rejectedIds.shape(0));
        }
        return accuracy(predict(chosenIds, chosenMask).mean(), predict(rejectedIds, rejectedMask).mean());
    }

    /** The fraction of pairs with chosen[i] &gt; rejected[i] (ties count as wrong). */
    public static double accuracy(Tensor chosen, Tensor rejected) {
        if (!Arrays.equals(chosen.shape(), rejected.shape()) || chosen.rank() != 1 || chosen.shape(0) == 0) {
            throw new IllegalArgumentException("accuracy needs chosen and rejected rewards of one shape [pairs >= 1], got "
                    + Arrays.toString(chosen.shape()) + " and " + Arrays.toString(rejected.shape()));
        }
        double[] c = chosen.toDoubleArray();
        double[] r = rejected.toDoubleArray();
        int wins = 0;
        for (int i = 0; i < c.length; i++) {
            wins += c[i] > r[i] ? 1 : 0;
        }
        return (double) wins / c.length;
    }
}
