package io.rlhf4j.nn.generation;

/**
 * transformers' TopPLogitsWarper (nucleus sampling): sort the scores ascending, take the running
 * sum of their softmax, and set to −∞ every token whose running sum is ≤ 1 − topP, except the
 * last {@code minTokensToKeep} (the most likely). As in torch on CPU, the probabilities are F32
 * and the running sum is accumulated in double and stored as F32 before the comparison.
 */
public final class TopPLogitsWarper extends RowWarper {

    private final double topP;
    private final int minTokensToKeep;

    public TopPLogitsWarper(double topP) {
        this(topP, 1);
    }

    public TopPLogitsWarper(double topP, int minTokensToKeep) {
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be a float in [0, 1], got " + topP);
        }
        if (minTokensToKeep < 1) {
            throw new IllegalArgumentException("min_tokens_to_keep must be >= 1, got " + minTokensToKeep);
        }
        this.topP = topP;
        this.minTokensToKeep = minTokensToKeep;
    }

    @Override
    void warp(float[] row) {
        int n = row.length;
        long[] sorted = ascendingKeys(row);
        float max = row[index(sorted[n - 1])];
        double total = 0;
        for (float x : row) {
            total += Math.exp((double) x - max);
        }
        float limit = (float) (1 - topP);
        double running = 0;
        boolean[] remove = new boolean[n];
        for (int j = 0; j < n - minTokensToKeep; j++) {
            int i = index(sorted[j]);
            running += (float) (Math.exp((double) row[i] - max) / total);
            remove[i] = (float) running <= limit;
        }
        for (int i = 0; i < n; i++) {
            if (remove[i]) {
                row[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
