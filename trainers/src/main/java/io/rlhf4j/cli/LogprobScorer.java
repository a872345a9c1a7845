package io.rlhf4j.cli;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.policy.PolicyModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores a batch of {@link ScoringRecord}s in one forward pass: the rows are right-padded to the
 * longest (padding masked out of attention) and {@link PolicyModel#getLogProbsNoGrad} gives
 * log p(ids[t + 1] | ids[..t]) at [b, t]. Row b's scores are entries firstScored − 1 … len − 2,
 * so the i-th returned value belongs to token ids[firstScored + i].
 */
final class LogprobScorer {

    private final PolicyModel policy;
    private final long padId;

    /** @param padId any valid token id: padding only fills masked positions */
    LogprobScorer(PolicyModel policy, long padId) {
        this.policy = policy;
        this.padId = padId;
    }

    /** Each record's log-probabilities of its scored tokens, in order. */
    List<float[]> score(List<ScoringRecord> records) {
        int rows = records.size();
        int width = records.stream().mapToInt(r -> r.ids().length).max().orElseThrow();
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        int[] firstScored = new int[rows];
        Arrays.fill(ids, padId);
        for (int b = 0; b < rows; b++) {
            long[] row = records.get(b).ids();
            System.arraycopy(row, 0, ids, b * width, row.length);
            Arrays.fill(mask, b * width, b * width + row.length, 1);
            firstScored[b] = records.get(b).firstScored();
        }
        float[] perToken;
        try (var _ = Memory.scope()) {
            perToken = policy.getLogProbsNoGrad(Tensor.ofLongs(ids, rows, width), Tensor.ofLongs(mask, rows, width),
                    firstScored).tokens().toFloatArray();
        }
        List<float[]> out = new ArrayList<>(rows);
        for (int b = 0; b < rows; b++) {
            int from = b * (width - 1) + firstScored[b] - 1;
            out.add(Arrays.copyOfRange(perToken, from, from + records.get(b).scoredTokens()));
        }
        return out;
    }
}
