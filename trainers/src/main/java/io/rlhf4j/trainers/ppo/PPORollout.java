package io.rlhf4j.trainers.ppo;

import io.rlhf4j.engine.Tensor;

/**
 * One rollout kept as plain arrays between generation and the PPO epochs that reuse it (tensors
 * live only inside a step's memory scope): ids [B, P + C] row-major, the per-token results of
 * {@link PPOAdvantages} [B, C], and each PPO epoch's shuffled row order.
 */
record PPORollout(long[] ids, int rows, int queryWidth, int responseWidth, long padId, PPOAdvantages.Result result,
        int[][] permutations) {

    int width() {
        return queryWidth + responseWidth;
    }

    /** The rows {@code from} (inclusive) to {@code to} of epoch {@code epoch}'s order, as tensors. */
    PPOBatch batch(int epoch, int from, int to) {
        int[] order = permutations[epoch];
        int[] rowsOf = new int[to - from];
        for (int i = from; i < to; i++) {
            rowsOf[i - from] = order[i];
        }
        return batch(rowsOf);
    }

    /** The given rows, in that order, as tensors (ids only while {@code result} is null: the layout being scored). */
    PPOBatch batch(int[] which) {
        int b = which.length;
        int w = width();
        int c = responseWidth;
        long[] x = new long[b * w];
        long[] mask = new long[b * w];
        long[] response = new long[b * c];
        long tokens = 0;
        float[][] out = new float[6][b * c];
        double[][] in = result == null ? new double[0][] : new double[][] {result.logprobs(), result.advantages(),
            result.returns(), result.values(), result.responseMask(), result.valueMask()};
        for (int i = 0; i < b; i++) {
            int r = which[i];
            System.arraycopy(ids, r * w, x, i * w, w);
            System.arraycopy(ids, r * w + queryWidth, response, i * c, c);
            for (int t = 0; t < w; t++) {
                mask[i * w + t] = x[i * w + t] != padId ? 1 : 0;
                tokens += mask[i * w + t];
            }
            for (int k = 0; k < in.length; k++) {
                for (int t = 0; t < c; t++) {
                    out[k][i * c + t] = (float) in[k][r * c + t];
                }
            }
        }
        if (result == null) {
            return new PPOBatch(Tensor.ofLongs(x, b, w), Tensor.ofLongs(mask, b, w), Tensor.ofLongs(response, b, c),
                    null, null, null, null, null, null, queryWidth, c, tokens);
        }
        return new PPOBatch(Tensor.ofLongs(x, b, w), Tensor.ofLongs(mask, b, w), Tensor.ofLongs(response, b, c),
                Tensor.of(out[0], b, c), Tensor.of(out[1], b, c), Tensor.of(out[2], b, c), Tensor.of(out[3], b, c),
                Tensor.of(out[4], b, c), Tensor.of(out[5], b, c), queryWidth, c, tokens);
    }
}
