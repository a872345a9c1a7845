package io.rlhf4j.inference;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenChooser;
import io.rlhf4j.nn.models.CausalLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * N completions of each prompt that share the prompt's KV blocks: the B prompts are prefilled
 * once into a {@link PagedKVCache}, its rows are repeated N times ({@link PagedKVCache#repeatRows},
 * copy-on-write), and the B·N rows are decoded together. The result is what
 * {@link io.rlhf4j.nn.generation.Generation#generate} gives for the batch with every prompt
 * repeated N times in a row (same token choice, EOS and padding rules, same draws from the
 * generator), at a prefill cost of B rows instead of B·N and prompt memory held once.
 * Stop strings are not supported here.
 */
public final class SharedPrefixGeneration {

    private SharedPrefixGeneration() {
    }

    public static GenerationResult generate(CausalLM model, PromptBatch prompts, int n, GenerationConfig config,
            Generator generator, KvBlockPool pool) {
        if (n < 1) {
            throw new IllegalArgumentException("n (completions per prompt) must be >= 1, got " + n);
        }
        if (!config.stopStrings().isEmpty()) {
            throw new IllegalArgumentException("shared-prefix generation does not support stop_strings "
                    + config.stopStrings());
        }
        if (config.doSample() && generator == null) {
            throw new IllegalArgumentException("do_sample = true needs a Generator to draw tokens from");
        }
        int width = prompts.width();
        int rows = prompts.batch() * n;
        int maxNew = config.newTokens(width);
        long[] promptIds = repeat(prompts.inputIds().toLongArray(), width, n);
        long[] promptMask = repeat(prompts.attentionMask().toLongArray(), width, n);
        TokenChooser chooser = TokenChooser.of(config, generator);
        long pad = config.effectivePadTokenId();
        long[][] generated = new long[rows][maxNew];
        int[] lengths = new int[rows];
        FinishReason[] reasons = new FinishReason[rows];
        List<long[]> steps = new ArrayList<>();
        PagedKVCache cache = null;
        try (var _ = Grad.disabled()) {
            long[] tokens = null;
            while (steps.size() < maxNew && Arrays.stream(reasons).anyMatch(r -> r == null)) {
                try (var _ = Memory.scope()) {
                    Tensor logits;
                    if (cache == null) {
                        try (PagedKVCache prefix = new PagedKVCache(pool, prompts.batch())) {
                            logits = model.forwardLast(prompts.inputIds(), prompts.attentionMask(), null, prefix)
                                    .indexSelect(0, Tensor.ofLongs(repeatIndex(prompts.batch(), n), rows));
                            cache = prefix.repeatRows(n);
                        }
                    } else {
                        logits = model.forwardLast(Tensor.ofLongs(tokens, rows, 1),
                                mask(promptMask, rows, width, steps.size()), null, cache);
                    }
                    tokens = chooser.next(logits);
                }
                for (int b = 0; b < rows; b++) {
                    if (reasons[b] != null) {
                        tokens[b] = pad;
                        continue;
                    }
                    generated[b][lengths[b]++] = tokens[b];
                    if (config.eosTokenIds().contains(tokens[b])) {
                        reasons[b] = FinishReason.EOS;
                    }
                }
                steps.add(tokens);
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
        for (int b = 0; b < rows; b++) {
            reasons[b] = reasons[b] == null ? FinishReason.LENGTH : reasons[b];
        }
        return result(promptIds, promptMask, rows, width, steps, generated, lengths, reasons);
    }

    /** Each row of [B, width] repeated n times in a row. */
    private static long[] repeat(long[] values, int width, int n) {
        int batch = values.length / width;
        long[] out = new long[values.length * n];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(values, b * width, out, (b * n + i) * width, width);
            }
        }
        return out;
    }

    private static long[] repeatIndex(int batch, int n) {
        long[] index = new long[batch * n];
        for (int i = 0; i < index.length; i++) {
            index[i] = i / n;
        }
        return index;
    }

    /** The prompt mask followed by {@code extra} columns of ones, as generation grows it. */
    private static Tensor mask(long[] promptMask, int rows, int width, int extra) {
        int cols = width + extra;
        long[] m = new long[rows * cols];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(promptMask, b * width, m, b * cols, width);
            Arrays.fill(m, b * cols + width, (b + 1) * cols, 1);
        }
        return Tensor.ofLongs(m, rows, cols);
    }

    private static GenerationResult result(long[] promptIds, long[] promptMask, int rows, int width,
            List<long[]> steps, long[][] generated, int[] lengths, FinishReason[] reasons) {
        int cols = width + steps.size();
        long[] ids = new long[rows * cols];
        long[] mask = new long[rows * cols];
        List<long[]> completions = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            System.arraycopy(promptIds, b * width, ids, b * cols, width);
            System.arraycopy(promptMask, b * width, mask, b * cols, width);
            for (int s = 0; s < steps.size(); s++) {
                ids[b * cols + width + s] = steps.get(s)[b];
                mask[b * cols + width + s] = s < lengths[b] ? 1 : 0;
            }
            completions.add(Arrays.copyOf(generated[b], lengths[b]));
        }
        return new GenerationResult(Tensor.ofLongs(ids, rows, cols), Tensor.ofLongs(mask, rows, cols), width,
                completions, List.of(reasons));
    }
}
