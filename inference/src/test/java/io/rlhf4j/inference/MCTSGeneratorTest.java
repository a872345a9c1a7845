package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.models.CausalLM;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MCTSGeneratorTest {

    private static final long[] TARGET = {2, 0, 3};

    /** Fraction of positions where the completion matches {@link #TARGET}. */
    private static double matches(long[] prompt, long[] completion) {
        int hits = 0;
        for (int i = 0; i < Math.min(completion.length, TARGET.length); i++) {
            hits += completion[i] == TARGET[i] ? 1 : 0;
        }
        return (double) hits / TARGET.length;
    }

    /** A policy over 5 tokens that strongly prefers token 1, which the reward never wants. */
    private static float[] misleading(long[] sequence) {
        return new float[] {0, 2, 0, 0, 0};
    }

    @Test
    void findsTheSequenceTheRewardPrefersAgainstThePolicy() {
        MCTSConfig config = MCTSConfig.defaults().withSimulations(400).withMaxDepth(3).withBranchingWidth(5);
        MCTSGenerator mcts = new MCTSGenerator(MCTSGeneratorTest::misleading, MCTSGeneratorTest::matches, null, config);
        MCTSGenerator.Result result = mcts.generate(new long[] {4}, Set.of());
        assertThat(result.tokens()).containsExactly(TARGET);
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(result.bestFound()).containsExactly(TARGET);
        assertThat(result.bestFoundReward()).isEqualTo(1.0);
        assertThat(result.evaluations()).isEqualTo(3 * 400);

        MCTSGenerator.Result again = mcts.generate(new long[] {4}, Set.of());
        assertThat(again).usingRecursiveComparison().isEqualTo(result);
    }

    /** Children are the policy's top-k only: a reward for a token outside them cannot be reached. */
    @Test
    void branchingWidthLimitsTheTokensConsidered() {
        MCTSConfig config = MCTSConfig.defaults().withSimulations(40).withMaxDepth(3).withBranchingWidth(2);
        float[] logits = {3, 2, 1, 0, -1};
        MCTSGenerator mcts = new MCTSGenerator(s -> logits, MCTSGeneratorTest::matches, null, config);
        MCTSGenerator.Result result = mcts.generate(new long[] {4}, Set.of());
        for (long t : result.tokens()) {
            assertThat(t).isIn(0L, 1L);
        }
        // Best reachable: positions 0 and 2 need tokens 2 and 3 (not children); position 1 wants 0.
        assertThat(result.tokens()[1]).isZero();
    }

    /** A value function replaces rollouts; EOS ends the completion. */
    @Test
    void valueFunctionAndEos() {
        MCTSConfig config = MCTSConfig.defaults().withSimulations(30).withMaxDepth(6).withBranchingWidth(5);
        // Values reward an early EOS (token 4) after the prefix 2.
        MCTSGenerator.Evaluator reward = (p, c) -> c.length >= 2 && c[0] == 2 && c[c.length - 1] == 4 ? 1.0 : 0.0;
        MCTSGenerator.Evaluator value = (p, c) -> c.length >= 1 && c[0] == 2 ? 0.5 : 0.0;
        MCTSGenerator mcts = new MCTSGenerator(s -> new float[5], reward, value, config);
        MCTSGenerator.Result result = mcts.generate(new long[] {1}, Set.of(4L));
        assertThat(result.finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(result.tokens()[0]).isEqualTo(2);
        assertThat(result.tokens()[result.tokens().length - 1]).isEqualTo(4);
    }

    /** On a real model the search is deterministic and picks among the policy's top tokens. */
    @Test
    void runsOnACausalLmDeterministically() {
        CausalLM model = TestModels.load("qwen3");
        PolicyPriors priors = PolicyPriors.of(model);
        long[] prompt = {5, 17, 3};
        float[] first = priors.nextTokenLogits(prompt);
        Integer[] order = new Integer[first.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(first[b], first[a]));
        long wanted = order[2];
        MCTSConfig config = MCTSConfig.defaults().withSimulations(12).withMaxDepth(3).withBranchingWidth(3)
                .withSeed(4);
        MCTSGenerator.Evaluator reward = (p, c) -> c[0] == wanted ? 1.0 : 0.0;
        MCTSGenerator.Result a = new MCTSGenerator(priors, reward, null, config).generate(prompt, Set.of());
        MCTSGenerator.Result b = new MCTSGenerator(priors, reward, null, config).generate(prompt, Set.of());
        assertThat(a.tokens()).hasSize(3).isEqualTo(b.tokens());
        assertThat(a.tokens()[0]).isEqualTo(wanted);
        assertThat(a.value()).isEqualTo(1.0);
    }

    @Test
    void configIsChecked() {
        assertThatThrownBy(() -> MCTSConfig.defaults().withSimulations(0)).hasMessageContaining("simulations");
        assertThatThrownBy(() -> MCTSConfig.defaults().withTemperature(0)).hasMessageContaining("temperature");
    }
}
