package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.reward.RewardConfig;
import io.rlhf4j.nn.reward.RewardModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README's inference example, on the example model, with its outputs checked. */
class InferenceExampleTest {

    private static final Path EXAMPLE = Path.of("../examples/models/tiny-chat");

    private static double score(long[] completion) {
        return completion.length > 0 && completion[0] == 7 ? 1 : 0;
    }

    @Test
    void readmeExample() throws IOException {
        CausalLM policy = AutoModelForCausalLM.fromPretrained(EXAMPLE);
        CausalLM draft = AutoModelForCausalLM.fromPretrained(EXAMPLE);
        RewardModel rewardModel = RewardModel.fromBase(EXAMPLE, RewardConfig.mlp(), Generator.seed(1));
        GenerationConfig base = GenerationConfig.forModel(policy.config()).withMaxNewTokens(8);
        List<long[]> prompts = List.of(new long[] {1, 42, 7}, new long[] {1, 9});

        KvBlockPool pool = KvBlockPool.forModel(policy.config(), 16, 64);
        List<PagedKVCache> caches = new ArrayList<>();
        GenerationResult paged = Generation.generate(policy, PromptBatch.leftPad(prompts, 0), base, null, null,
                TokenStreamer.NONE, (rows, capacity) -> {
                    PagedKVCache c = new PagedKVCache(pool, rows);
                    caches.add(c);
                    return c;
                });
        caches.forEach(PagedKVCache::close);

        SpeculativeDecoder.Result fast = new SpeculativeDecoder(policy, draft, 3).generate(prompts.get(0), base, null);

        List<BestOfNSampler.Selection> best = new BestOfNSampler(policy, SequenceScorer.of(rewardModel),
                BestOfNConfig.defaults().withN(4).withTemperature(0.8).withTopP(0.95).withDiversityWeight(0.1))
                .sample(prompts, base);

        MCTSGenerator.Result searched = new MCTSGenerator(PolicyPriors.of(policy),
                (prompt, completion) -> score(completion), null,
                MCTSConfig.defaults().withSimulations(16).withMaxDepth(8)).generate(prompts.get(0), Set.of());

        GenerationResult plain = Generation.generate(policy, PromptBatch.leftPad(prompts, 0), base, null, null,
                TokenStreamer.NONE);
        assertThat(paged.sequences().toLongArray()).isEqualTo(plain.sequences().toLongArray());
        assertThat(pool.freeBlocks()).isEqualTo(64);
        assertThat(fast.tokens()).isEqualTo(plain.generated().getFirst());
        assertThat(fast.acceptanceRate()).isEqualTo(1.0);
        assertThat(best).hasSize(2);
        assertThat(best.get(1).candidates()).hasSize(4);
        assertThat(searched.tokens()).hasSize(8);
        assertThat(searched.bestFoundReward()).isEqualTo(1.0);
    }
}
