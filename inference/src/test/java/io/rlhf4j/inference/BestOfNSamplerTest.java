package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.reward.RewardConfig;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BestOfNSamplerTest {

    private static final List<long[]> PROMPTS = List.of(new long[] {5, 17, 3, 42, 8}, new long[] {11, 2});

    private static RewardModel rewardModel(long seed) throws IOException {
        RewardModel model = RewardModel.fromBase(TestModels.MODELS.resolve("llama_gqa_llama3"), RewardConfig.mlp(),
                Generator.seed(seed));
        model.eval();
        return model;
    }

    /** The reward of one unpadded row, computed on its own. */
    private static double rewardAlone(RewardModel model, long[] prompt, long[] completion) {
        long[] ids = new long[prompt.length + completion.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(completion, 0, ids, prompt.length, completion.length);
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            return model.rewards(Tensor.ofLongs(ids, 1, ids.length), Tensor.ofLongs(ones, 1, ids.length))
                    .toFloatArray()[0];
        }
    }

    @Test
    void picksTheCandidateTheRewardModelScoresHighest() throws IOException {
        CausalLM policy = TestModels.load("llama_gqa_llama3");
        RewardModel rm = rewardModel(1);
        BestOfNConfig config = BestOfNConfig.defaults().withN(4).withMaxNewTokens(6).withSeed(3);
        GenerationConfig base = GenerationConfig.defaults().withEosTokenIds(List.of(2L));
        List<BestOfNSampler.Selection> selections = new BestOfNSampler(policy, SequenceScorer.of(rm), config)
                .sample(PROMPTS, base);
        assertThat(selections).hasSize(2);
        for (int p = 0; p < PROMPTS.size(); p++) {
            BestOfNSampler.Selection s = selections.get(p);
            assertThat(s.candidates()).hasSize(4);
            double[] alone = new double[4];
            int best = 0;
            for (int i = 0; i < 4; i++) {
                BestOfNSampler.Candidate c = s.candidates().get(i);
                alone[i] = rewardAlone(rm, PROMPTS.get(p), c.tokens());
                assertThat(c.reward()).isCloseTo(alone[i], within(1e-4));
                assertThat(c.score()).isEqualTo(c.reward());
                best = alone[i] > alone[best] ? i : best;
            }
            assertThat(s.bestIndex()).isEqualTo(best);
            assertThat(s.candidates().stream().map(c -> Arrays.toString(c.tokens())).distinct().count())
                    .isGreaterThan(1);
        }
        KvBlockPool pool = KvBlockPool.forModel(policy.config(), 4, 48);
        List<BestOfNSampler.Selection> again = new BestOfNSampler(policy, SequenceScorer.of(rm), config)
                .withSharedPrefix(pool).sample(PROMPTS, base);
        assertThat(pool.freeBlocks()).isEqualTo(48);
        for (int p = 0; p < PROMPTS.size(); p++) {
            for (int i = 0; i < 4; i++) {
                assertThat(again.get(p).candidates().get(i).tokens())
                        .isEqualTo(selections.get(p).candidates().get(i).tokens());
                assertThat(again.get(p).candidates().get(i).reward())
                        .isEqualTo(selections.get(p).candidates().get(i).reward());
            }
        }
    }

    @Test
    void ensembleScoresAreAggregated() throws IOException {
        CausalLM policy = TestModels.load("llama_gqa_llama3");
        RewardModel a = rewardModel(1);
        RewardModel b = rewardModel(2);
        RewardModelEnsemble ensemble = new RewardModelEnsemble(List.of(a, b));
        BestOfNConfig config = BestOfNConfig.defaults().withN(3).withMaxNewTokens(4).withSeed(9);
        for (BestOfNConfig.Aggregation agg : BestOfNConfig.Aggregation.values()) {
            BestOfNSampler.Selection s = new BestOfNSampler(policy, SequenceScorer.of(ensemble),
                    config.withAggregation(agg)).sample(List.of(PROMPTS.getFirst()), GenerationConfig.defaults())
                    .getFirst();
            for (BestOfNSampler.Candidate c : s.candidates()) {
                double ra = rewardAlone(a, PROMPTS.getFirst(), c.tokens());
                double rb = rewardAlone(b, PROMPTS.getFirst(), c.tokens());
                assertThat(c.rewards()).containsExactly(new double[] {ra, rb}, within(1e-4));
                double expected = switch (agg) {
                    case MEAN -> (ra + rb) / 2;
                    case MIN -> Math.min(ra, rb);
                    case MAX -> Math.max(ra, rb);
                };
                assertThat(c.reward()).isCloseTo(expected, within(1e-4));
            }
            assertThat(s.best().score())
                    .isEqualTo(s.candidates().stream().mapToDouble(BestOfNSampler.Candidate::score).max().orElseThrow());
        }
    }

    /** With a constant scorer the diversity bonus alone decides: the candidate least like the others wins. */
    @Test
    void diversityBonusIsTheMeanNormalisedEditDistance() {
        CausalLM policy = TestModels.load("qwen3");
        BestOfNConfig config = BestOfNConfig.defaults().withN(4).withMaxNewTokens(5).withTemperature(2.0)
                .withDiversityWeight(0.5).withSeed(1);
        SequenceScorer constant = (ids, mask) -> {
            double[][] out = new double[ids.shape(0)][];
            Arrays.setAll(out, i -> new double[] {1.0});
            return out;
        };
        BestOfNSampler.Selection s = new BestOfNSampler(policy, constant, config)
                .sample(List.of(PROMPTS.get(1)), GenerationConfig.defaults()).getFirst();
        int best = 0;
        for (int i = 0; i < 4; i++) {
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                if (j != i) {
                    long[] x = s.candidates().get(i).tokens();
                    long[] y = s.candidates().get(j).tokens();
                    sum += (double) TokenEditDistance.distance(x, y) / Math.max(x.length, y.length);
                }
            }
            BestOfNSampler.Candidate c = s.candidates().get(i);
            assertThat(c.diversityBonus()).isCloseTo(0.5 * sum / 3, within(1e-12));
            assertThat(c.score()).isCloseTo(1.0 + c.diversityBonus(), within(1e-12));
            best = c.score() > s.candidates().get(best).score() ? i : best;
        }
        assertThat(s.bestIndex()).isEqualTo(best);
        assertThat(s.best().diversityBonus()).isPositive();
    }

    @Test
    void editDistanceAndConfigChecks() {
        // kitten → sitting: 3 edits (k→s, e→i, +g), as token ids.
        long[] kitten = {'k', 'i', 't', 't', 'e', 'n'};
        long[] sitting = {'s', 'i', 't', 't', 'i', 'n', 'g'};
        assertThat(TokenEditDistance.distance(kitten, sitting)).isEqualTo(3);
        assertThat(TokenEditDistance.distance(new long[0], sitting)).isEqualTo(7);
        assertThat(TokenEditDistance.distance(sitting, sitting)).isZero();
        assertThat(TokenEditDistance.normalized(kitten, sitting)).isCloseTo(3.0 / 7, within(1e-15));
        assertThat(TokenEditDistance.normalized(new long[0], new long[0])).isZero();
        assertThatThrownBy(() -> BestOfNConfig.defaults().withN(0)).hasMessageContaining("n (candidates");
        assertThatThrownBy(() -> BestOfNConfig.defaults().withTopP(0)).hasMessageContaining("top_p");
        assertThat(BestOfNConfig.Aggregation.MEAN.apply(new double[] {1, 2, 6})).isEqualTo(3.0);
        assertThat(BestOfNConfig.Aggregation.MIN.apply(new double[] {1, 2, 6})).isEqualTo(1.0);
        assertThat(BestOfNConfig.Aggregation.MAX.apply(new double[] {1, 2, 6})).isEqualTo(6.0);
    }
}
