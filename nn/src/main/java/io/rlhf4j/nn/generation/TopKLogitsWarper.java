package io.rlhf4j.nn.generation;

/**
 * transformers' TopKLogitsWarper: with k = min(max(topK, minTokensToKeep), V), every score below
 * the k-th largest becomes −∞ (scores equal to it survive, so ties can keep more than k).
 */
public final class TopKLogitsWarper extends RowWarper {

    private final int topK;

    public TopKLogitsWarper(int topK) {
        this(topK, 1);
    }

    public TopKLogitsWarper(int topK, int minTokensToKeep) {
        if (topK <= 0) {
            throw new IllegalArgumentException("top_k must be a strictly positive integer, got " + topK);
        }
        this.topK = Math.max(topK, minTokensToKeep);
    }

    @Override
    void warp(float[] row) {
        int k = Math.min(topK, row.length);
        long[] sorted = ascendingKeys(row);
        float threshold = row[index(sorted[row.length - k])];
        for (int i = 0; i < row.length; i++) {
            if (row[i] < threshold) {
                row[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
