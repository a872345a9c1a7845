package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.LogitsProcessor;
import java.util.Arrays;
import java.util.List;

/**
 * Majority voting over next-token proposals: each member proposes its argmax (the lowest id on
 * ties, like torch.argmax) or, when sampling, a token drawn from its warped distribution; the
 * token with most votes wins. Ties between tokens are broken by the higher mean log-probability
 * over all members (log-softmax of the raw logits), then by the lower token id.
 */
final class Voting {

    private Voting() {
    }

    /**
     * Scores [B, V]: 0 for each row's winning token, −∞ elsewhere.
     *
     * @param logits    each member's last-position logits [B, V]
     * @param generator null for greedy proposals; else the stream sampled proposals draw from
     */
    static Tensor scores(List<Tensor> logits, List<LogitsProcessor> warpers, Generator generator) {
        long[] winners = winners(logits, warpers, generator);
        int rows = logits.getFirst().shape(0);
        int vocab = logits.getFirst().shape(1);
        float[] out = new float[rows * vocab];
        Arrays.fill(out, Float.NEGATIVE_INFINITY);
        for (int b = 0; b < rows; b++) {
            out[b * vocab + (int) winners[b]] = 0;
        }
        return Tensor.of(out, rows, vocab);
    }

    /** Each row's winning token id. */
    static long[] winners(List<Tensor> logits, List<LogitsProcessor> warpers, Generator generator) {
        int members = logits.size();
        int rows = logits.getFirst().shape(0);
        int vocab = logits.getFirst().shape(1);
        long[][] proposals = new long[members][];
        float[] meanLogProb = new float[rows * vocab];
        for (int i = 0; i < members; i++) {
            Tensor l = logits.get(i);
            proposals[i] = generator == null ? l.argmax(1, false).toLongArray()
                    : generator.categorical(LogitsProcessor.applyAll(warpers, l), 1, true).toLongArray();
            float[] lp = l.logSoftmax(1).toFloatArray();
            for (int j = 0; j < lp.length; j++) {
                meanLogProb[j] += lp[j] / members;
            }
        }
        long[] winners = new long[rows];
        for (int b = 0; b < rows; b++) {
            int[] votes = new int[members];
            long best = -1;
            int bestVotes = 0;
            for (int i = 0; i < members; i++) {
                for (int k = 0; k < members; k++) {
                    if (proposals[k][b] == proposals[i][b]) {
                        votes[i]++;
                    }
                }
                long token = proposals[i][b];
                if (best < 0 || votes[i] > bestVotes || votes[i] == bestVotes && better(token, best, meanLogProb, b, vocab)) {
                    best = token;
                    bestVotes = votes[i];
                }
            }
            winners[b] = best;
        }
        return winners;
    }

    private static boolean better(long token, long than, float[] meanLogProb, int row, int vocab) {
        float a = meanLogProb[row * vocab + (int) token];
        float c = meanLogProb[row * vocab + (int) than];
        return a > c || a == c && token < than;
    }
}
