package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.Tensor;
import java.util.List;

/**
 * What {@code generate} returns.
 *
 * @param sequences     [B, T + n] I64: the left-padded prompts then n generated columns, as
 *                      transformers' generate returns them (rows that finished early hold the pad id)
 * @param attentionMask [B, T + n] I64: the prompt mask, then 1 for each generated token up to and
 *                      including the one that finished the row, 0 for the padding after it
 * @param promptWidth   T, the column where generated tokens start
 * @param generated     each row's generated ids (EOS included when it ended the row, no padding)
 * @param finishReasons why each row stopped
 */
public record GenerationResult(Tensor sequences, Tensor attentionMask, int promptWidth, List<long[]> generated,
        List<FinishReason> finishReasons) {

    public GenerationResult {
        generated = List.copyOf(generated);
        finishReasons = List.copyOf(finishReasons);
    }

    /** Generated columns n. */
    public int newColumns() {
        return sequences.shape(1) - promptWidth;
    }
}
