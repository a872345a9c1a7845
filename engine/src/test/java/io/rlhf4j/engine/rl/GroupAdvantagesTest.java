package io.rlhf4j.engine.rl;

import static io.rlhf4j.engine.rl.Fixtures.doubles;
import static io.rlhf4j.engine.rl.Fixtures.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.rl.GroupAdvantages.Scale;
import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {

    @Test
    void matchesTrlForEveryScale() {
        JsonNode fx = Fixtures.load("grpo_advantages.json");
        int g = fx.get("group_size").asInt();
        double[] rewards = doubles(fx.get("rewards"));
        for (Scale scale : Scale.values()) {
            double[] expected = doubles(fx.get("scales").get(scale.name()));
            assertThat(GroupAdvantages.compute(rewards, g, scale, GroupAdvantages.TRL_EPS)).as(scale.name())
                    .containsExactly(expected, within(1e-12));
            float[] adv32 = GroupAdvantages.compute(floats(rewards), g, scale, GroupAdvantages.TRL_EPS);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) adv32[i]).isCloseTo(expected[i], within(1e-5 * Math.max(1, Math.abs(expected[i]))));
            }
        }
        assertThat(GroupAdvantages.compute(doubles(fx.get("single_group_size_rewards")), 1, Scale.GROUP,
                GroupAdvantages.TRL_EPS)).containsExactly(doubles(fx.get("single_group_size_group")), within(0.0));
    }

    /** By hand: group {1, 2, 6}: mean 3, unbiased variance (4 + 1 + 9) / 2 = 7. */
    @Test
    void groupScaleUsesUnbiasedStd() {
        double[] adv = GroupAdvantages.compute(new double[] {1, 2, 6, 5, 5, 5}, 3, Scale.GROUP, 1e-4);
        double sd = Math.sqrt(7) + 1e-4;
        // a constant group has std 0: eps keeps 0 / (0 + eps) = 0 instead of NaN
        assertThat(adv).containsExactly(new double[] {-2 / sd, -1 / sd, 3 / sd, 0, 0, 0}, within(1e-15));
        assertThat(GroupAdvantages.compute(new double[] {1, 2, 6}, 3, Scale.NONE, 1e-4))
                .containsExactly(-2, -1, 3);
    }

    @Test
    void rejectsGroupSizeNotDividingRewards() {
        assertThatThrownBy(() -> GroupAdvantages.compute(new double[7], 3, Scale.GROUP, 1e-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groupSize 3");
    }
}
