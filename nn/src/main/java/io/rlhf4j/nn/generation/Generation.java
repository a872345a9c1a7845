package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.models.CausalLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoding loop of transformers' generate for one left-padded batch, with a KV cache: the
 * whole batch is prefilled once, then each step feeds one token per row. The attention mask
 * grows by a column of ones per step (as transformers' does, finished rows included) and
 * position ids are {@code cumsum(mask) − 1}, so every row continues from its own length. Only
 * the last position's logits are computed. Runs without autograd, and each step inside its own
 * memory scope, so memory stays flat however many tokens are generated; the cache lives outside
 * the scopes.
 */
public final class Generation {

    private Generation() {
    }

    /**
     * Generates for {@code prompts}.
     *
     * @param generator the random stream for sampling (unused when greedy)
     * @param decoder   ids → text, needed only with stop strings (may be null otherwise)
     * @param streamer  told of every token as it is generated
     */
    public static GenerationResult generate(CausalLM model, PromptBatch prompts, GenerationConfig config,
            Generator generator, TokenDecoder decoder, TokenStreamer streamer) {
        return generate(model, prompts, config, generator, decoder, streamer, model::newKvCache);
    }

    /**
     * As {@link #generate(CausalLM, PromptBatch, GenerationConfig, Generator, TokenDecoder, TokenStreamer)}
     * with the KV cache made by {@code caches} (e.g. a paged cache) for the batch's rows and the
     * positions the generation needs; the cache is closed when the generation ends.
     */
    public static GenerationResult generate(CausalLM model, PromptBatch prompts, GenerationConfig config,
            Generator generator, TokenDecoder decoder, TokenStreamer streamer, CacheFactory caches) {
        int rows = prompts.batch();
        int width = prompts.width();
        int maxNew = config.newTokens(width);
        RowTracker tracker = new RowTracker(rows, maxNew, config, decoder, streamer);
        TokenChooser chooser = TokenChooser.of(config, generator);
        long[] promptMask = prompts.attentionMask().toLongArray();
        MaskColumns mask = new MaskColumns(promptMask, rows, width);
        List<long[]> steps = new ArrayList<>();
        try (var _ = Grad.disabled(); KvCache cache = maxNew == 0 ? null : caches.create(rows, width + maxNew)) {
            long[] tokens = null;
            while (steps.size() < maxNew && !tracker.allFinished()) {
                try (var _ = Memory.scope()) {
                    Tensor input = tokens == null ? prompts.inputIds() : Tensor.ofLongs(tokens, rows, 1);
                    tokens = chooser.next(model.forwardLast(input, mask.tensor(), null, cache));
                }
                tracker.accept(steps.size(), tokens);
                steps.add(tokens);
                mask.appendOnes();
            }
        }
        tracker.finishByLength();
        return result(prompts, promptMask, steps, tracker);
    }

    /** Makes an empty KV cache for {@code batch} rows and up to {@code capacity} positions. */
    @FunctionalInterface
    public interface CacheFactory {
        KvCache create(int batch, int capacity);
    }

    private static GenerationResult result(PromptBatch prompts, long[] promptMask, List<long[]> steps,
            RowTracker tracker) {
        int rows = prompts.batch();
        int width = prompts.width();
        int cols = width + steps.size();
        long[] promptIds = prompts.inputIds().toLongArray();
        long[] ids = new long[rows * cols];
        long[] mask = new long[rows * cols];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(promptIds, b * width, ids, b * cols, width);
            System.arraycopy(promptMask, b * width, mask, b * cols, width);
            for (int s = 0; s < steps.size(); s++) {
                ids[b * cols + width + s] = steps.get(s)[b];
                mask[b * cols + width + s] = s < tracker.length(b) ? 1 : 0;
            }
        }
        return new GenerationResult(Tensor.ofLongs(ids, rows, cols), Tensor.ofLongs(mask, rows, cols), width,
                tracker.generated(), tracker.reasons());
    }

    /** The attention mask of a generation, grown one column of ones per step. */
    private static final class MaskColumns {

        private final long[] prompt;
        private final int rows;
        private final int promptWidth;
        private int cols;

        MaskColumns(long[] prompt, int rows, int promptWidth) {
            this.prompt = prompt;
            this.rows = rows;
            this.promptWidth = promptWidth;
            this.cols = promptWidth;
        }

        void appendOnes() {
            cols++;
        }

        /** [B, cols] I64, allocated in the current scope. */
        Tensor tensor() {
            long[] m = new long[rows * cols];
            for (int b = 0; b < rows; b++) {
                System.arraycopy(prompt, b * promptWidth, m, b * cols, promptWidth);
                Arrays.fill(m, b * cols + promptWidth, (b + 1) * cols, 1);
            }
            return Tensor.ofLongs(m, rows, cols);
        }
    }
}
