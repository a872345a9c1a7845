package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Prompts as one left-padded batch: ids [B, T] and attention mask [B, T] (1 = token, 0 = pad),
 * as generation needs them (every row's latest token in the last column).
 */
public record PromptBatch(Tensor inputIds, Tensor attentionMask) {

    public PromptBatch {
        if (inputIds.rank() != 2 || inputIds.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("prompt ids must be an integer tensor [batch, seq], got "
                    + inputIds.dtype() + Arrays.toString(inputIds.shape()));
        }
        if (!Arrays.equals(inputIds.shape(), attentionMask.shape())) {
            throw new IllegalArgumentException("attention mask " + Arrays.toString(attentionMask.shape())
                    + " must have the prompt ids' shape " + Arrays.toString(inputIds.shape()));
        }
        if (inputIds.shape(1) == 0) {
            throw new IllegalArgumentException("prompts must not be empty, got width 0");
        }
    }

    /** Left-pads {@code prompts} with {@code padId} to the longest one. */
    public static PromptBatch leftPad(List<long[]> prompts, long padId) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to generate from");
        }
        int width = 0;
        for (int b = 0; b < prompts.size(); b++) {
            if (prompts.get(b).length == 0) {
                throw new IllegalArgumentException("prompt " + b + " is empty");
            }
            width = Math.max(width, prompts.get(b).length);
        }
        int rows = prompts.size();
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        for (int b = 0; b < rows; b++) {
            long[] p = prompts.get(b);
            int pads = width - p.length;
            Arrays.fill(ids, b * width, b * width + pads, padId);
            System.arraycopy(p, 0, ids, b * width + pads, p.length);
            Arrays.fill(mask, b * width + pads, (b + 1) * width, 1);
        }
        return new PromptBatch(Tensor.ofLongs(ids, rows, width), Tensor.ofLongs(mask, rows, width));
    }

    public int batch() {
        return inputIds.shape(0);
    }

    public int width() {
        return inputIds.shape(1);
    }
}
