package io.rlhf4j.trainers.eval;

import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.PolicyModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples {@code samples} completions per prompt, rows prompt-major (prompt 0's samples first), in
 * batches of {@code batchSize} rows. Batch k samples from the k-th split of
 * {@code Generator.seed(seed)}, so two models sampled with one seed and layout see the same random
 * stream, and one model sampled twice gives the same completions.
 */
public final class Sampler {

    private final GenerationConfig generation;
    private final int samples;
    private final int batchSize;
    private final long seed;

    public Sampler(GenerationConfig generation, int samples, int batchSize, long seed) {
        this.generation = generation;
        this.samples = samples;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    public List<Completion> sample(CausalLM model, List<long[]> prompts) {
        List<Integer> owner = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            for (int s = 0; s < samples; s++) {
                owner.add(p);
            }
        }
        Generator root = Generator.seed(seed);
        PolicyModel policy = new PolicyModel(model);
        long pad = generation.effectivePadTokenId();
        List<Completion> out = new ArrayList<>(owner.size());
        for (int from = 0; from < owner.size(); from += batchSize) {
            List<Integer> rows = owner.subList(from, Math.min(owner.size(), from + batchSize));
            List<long[]> batch = new ArrayList<>(rows.size());
            rows.forEach(p -> batch.add(prompts.get(p)));
            Generator g = root.split();
            try (var _ = Memory.scope()) {
                GenerationResult r = policy.generate(PromptBatch.leftPad(batch, pad), generation, g, null,
                        TokenStreamer.NONE);
                for (int i = 0; i < rows.size(); i++) {
                    out.add(new Completion(rows.get(i), batch.get(i), r.generated().get(i)));
                }
            }
        }
        return out;
    }

    /** Groups completions by prompt, in prompt order. */
    public static List<List<long[]>> byPrompt(List<Completion> completions, int prompts) {
        List<List<long[]>> groups = new ArrayList<>(prompts);
        for (int p = 0; p < prompts; p++) {
            groups.add(new ArrayList<>());
        }
        completions.forEach(c -> groups.get(c.prompt()).add(c.ids()));
        return groups;
    }
}
