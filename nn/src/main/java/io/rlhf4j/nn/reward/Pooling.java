package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a reward model reduces the hidden states [B, T, H] of a batch to one vector per row.
 * Both read the attention mask only, so left and right padding give the same result.
 */
public enum Pooling {

    /**
     * The hidden state at the last position whose mask is non-zero: argmax over t of t·mask[b, t],
     * as transformers' *ForSequenceClassification picks the last non-pad token.
     */
    LAST_TOKEN,

    /** The mean of the hidden states over the positions whose mask is non-zero. */
    MEAN;

    /** The name reward_config.json uses ("last_token", "mean"). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The pooling named {@code name} in reward_config.json; the error names the accepted values. */
    public static Pooling fromJsonName(String name) {
        for (Pooling p : values()) {
            if (p.jsonName().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("pooling must be one of " + Arrays.stream(values()).map(Pooling::jsonName)
                .toList() + ", got \"" + name + "\"");
    }

    /**
     * hidden [B, T, H] (F32 or F64), mask [B, T] (any dtype, non-zero = token) → [B, H],
     * differentiable in hidden. Every row must hold at least one token.
     */
    public Tensor pool(Tensor hidden, Tensor mask) {
        if (hidden.rank() != 3 || mask.rank() != 2 || mask.shape(0) != hidden.shape(0)
                || mask.shape(1) != hidden.shape(1)) {
            throw new IllegalArgumentException("pooling needs hidden [B, T, H] and mask [B, T], got hidden "
                    + Arrays.toString(hidden.shape()) + " and mask " + Arrays.toString(mask.shape()));
        }
        int rows = hidden.shape(0);
        int cols = hidden.shape(1);
        double[] m = mask.toDoubleArray();
        long[] last = new long[rows];
        for (int b = 0; b < rows; b++) {
            last[b] = -1;
            for (int t = 0; t < cols; t++) {
                if (m[b * cols + t] != 0) {
                    last[b] = (long) b * cols + t;
                }
            }
            if (last[b] < 0) {
                throw new IllegalArgumentException("row " + b + " of the attention mask has no tokens");
            }
        }
        if (this == LAST_TOKEN) {
            return hidden.reshape(rows * cols, hidden.shape(2)).indexSelect(0, Tensor.ofLongs(last, rows));
        }
        Tensor weights = mask.ne(0).to(hidden.dtype()).unsqueeze(2);
        return hidden.mul(weights).sum(1, false).div(weights.sum(1, false));
    }
}
