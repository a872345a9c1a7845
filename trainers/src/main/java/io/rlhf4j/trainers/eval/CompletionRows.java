package io.rlhf4j.trainers.eval;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Prompt + completion rows, right-padded: ids and mask [B, T] (I64), and where each row's
 * completion starts. Position ids follow the mask in both the policy and the reward model, so
 * right padding scores each row as it would score alone.
 */
record CompletionRows(Tensor ids, Tensor mask, int[] completionStart, int width) {

    static CompletionRows of(List<Completion> rows, long padId) {
        int width = 0;
        for (Completion c : rows) {
            width = Math.max(width, c.promptIds().length + c.ids().length);
        }
        long[] ids = new long[rows.size() * width];
        long[] mask = new long[rows.size() * width];
        int[] start = new int[rows.size()];
        for (int b = 0; b < rows.size(); b++) {
            Completion c = rows.get(b);
            int p = c.promptIds().length;
            Arrays.fill(ids, b * width, (b + 1) * width, padId);
            System.arraycopy(c.promptIds(), 0, ids, b * width, p);
            System.arraycopy(c.ids(), 0, ids, b * width + p, c.ids().length);
            Arrays.fill(mask, b * width, b * width + p + c.ids().length, 1L);
            start[b] = p;
        }
        return new CompletionRows(Tensor.ofLongs(ids, rows.size(), width), Tensor.ofLongs(mask, rows.size(), width),
                start, width);
    }
}
