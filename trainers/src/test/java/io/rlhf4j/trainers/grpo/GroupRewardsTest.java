package io.rlhf4j.trainers.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.trainers.TestAssets;
import org.junit.jupiter.api.Test;

/**
 * Advantages against trl 1.13's sum_then_normalize lines (fixture from make_grpo_fixtures.py). trl
 * works in float32 from float32 rewards, so advantages agree to 1e-4 relative (a std near 0 plus
 * 1e-4 amplifies the rounding), rewards to 1e-6.
 */
class GroupRewardsTest {

    @Test
    void matchesTrlForEveryScaleRewardsOption() {
        JsonNode f = TestAssets.fixture("grpo_fixtures.json").get("advantage");
        JsonNode rows = f.get("rewards_per_func");
        double[][] perFunc = new double[rows.size()][];
        for (int i = 0; i < perFunc.length; i++) {
            perFunc[i] = GRPOLossTest.doubles(rows.get(i));
        }
        double[] weights = GRPOLossTest.doubles(f.get("weights"));
        int group = f.get("num_generations").asInt();
        for (JsonNode c : f.get("cases")) {
            GroupRewards r = GroupRewards.compute(perFunc, weights, group, c.get("scale_rewards").asText());
            double[] adv = GRPOLossTest.doubles(c.get("advantages"));
            double[] rewards = GRPOLossTest.doubles(c.get("rewards"));
            for (int i = 0; i < adv.length; i++) {
                assertThat(r.rewards()[i]).isCloseTo(rewards[i], within(1e-6));
                assertThat(r.advantages()[i]).as("%s adv[%d]", c.get("scale_rewards"), i)
                        .isCloseTo(adv[i], within(1e-4 * Math.max(1, Math.abs(adv[i]))));
            }
            assertThat(r.fracZeroStd()).isCloseTo(c.get("frac_reward_zero_std").asDouble(), within(1e-12));
        }
    }

    @Test
    void aGroupWithEqualRewardsHasZeroAdvantage() {
        double[][] perFunc = {{1}, {1}, {0}, {2}};
        GroupRewards r = GroupRewards.compute(perFunc, new double[] {1}, 2, "group");
        assertThat(r.advantages()[0]).isZero();
        assertThat(r.advantages()[1]).isZero();
        assertThat(r.advantages()[2]).isCloseTo(-1 / (Math.sqrt(2) + 1e-4), within(1e-12));
        assertThat(r.fracZeroStd()).isEqualTo(0.5);
    }
}
