package io.rlhf4j.nn.models;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;

/** Position ids for (left-)padded batches. */
public final class PositionIds {

    private PositionIds() {
    }

    /**
     * HF generate's position ids: {@code mask.cumsum(-1) - 1}, then {@code masked_fill(mask == 0, 1)}.
     * mask [B, S] (any dtype, non-zero = token) → I64 [B, S].
     */
    public static Tensor fromAttentionMask(Tensor mask) {
        if (mask.rank() != 2) {
            throw new IllegalArgumentException("attention mask must be [batch, seq], got " + Arrays.toString(mask.shape()));
        }
        int rows = mask.shape(0);
        int cols = mask.shape(1);
        double[] m = mask.toDoubleArray();
        long[] out = new long[m.length];
        for (int b = 0; b < rows; b++) {
            long sum = 0;
            for (int s = 0; s < cols; s++) {
                int i = b * cols + s;
                boolean token = m[i] != 0;
                sum += token ? 1 : 0;
                out[i] = token ? sum - 1 : 1;
            }
        }
        return Tensor.ofLongs(out, rows, cols);
    }

    /** offset, offset + 1, …, offset + length − 1 as I64 [1, length]. */
    public static Tensor range(int offset, int length) {
        long[] out = new long[length];
        for (int i = 0; i < length; i++) {
            out[i] = offset + i;
        }
        return Tensor.ofLongs(out, 1, length);
    }
}
