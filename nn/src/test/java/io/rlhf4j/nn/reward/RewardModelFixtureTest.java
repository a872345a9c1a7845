package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Parameter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rewards, Bradley-Terry losses and their gradients against the same architecture built in torch
 * (make_reward_fixtures.py). Tolerances: F32 on both sides, different summation orders; rewards
 * within 1e-4 absolute (values up to ~5; measured ≤ 7e-6), gradients within 1e-4 · (1 + max |g|)
 * (measured ≤ 5.4e-6 absolute).
 */
class RewardModelFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "gpt2"})
    void rewardsMatchTorchForBothPaddingsAndPoolings(String name) throws IOException {
        Map<String, Tensor> ref = RewardFixtures.reference(name);
        for (Pooling pooling : Pooling.values()) {
            RewardModel model = RewardFixtures.model(name, pooling);
            String kind = pooling == Pooling.LAST_TOKEN ? "last" : "mean";
            for (String side : new String[] {"right", "left"}) {
                Tensor r = model.rewards(ref.get(side + ".input_ids"), ref.get(side + ".attention_mask"));
                Tensor expected = ref.get("rewards." + side + "." + kind);
                assertThat(r.shape()).containsExactly(4);
                assertThat(RewardFixtures.maxAbsDiff(r, expected)).as(name + " " + side + " " + kind).isLessThan(1e-4);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_llama3", "gpt2"})
    void bradleyTerryLossAndGradientsMatchTorch(String name) throws IOException {
        Map<String, Tensor> ref = RewardFixtures.reference(name);
        RewardModel model = RewardFixtures.model(name, Pooling.LAST_TOKEN);
        String norm = name.equals("gpt2") ? "transformer.ln_f.weight" : "model.norm.weight";
        RewardLoss[] losses = {new RewardLoss(RewardFixtures.SMOOTHING, 0, 0),
            new RewardLoss(RewardFixtures.SMOOTHING, RewardFixtures.L2, RewardFixtures.CENTER)};
        String[] what = {"loss", "total"};
        for (int i = 0; i < 2; i++) {
            model.zeroGrad();
            Tensor r = model.rewards(ref.get("right.input_ids"), ref.get("right.attention_mask"));
            RewardLoss.Output out = losses[i].compute(r.narrow(0, 0, 2), r.narrow(0, 2, 2), ref.get("bt.margin"),
                    model.parameters());
            out.loss().backward();
            assertThat(out.loss().item()).as(what[i]).isCloseTo(ref.get("bt." + what[i]).get(0),
                    within(1e-5 * (1 + Math.abs(ref.get("bt." + what[i]).get(0)))));
            Map<String, Parameter> params = model.namedParameters();
            Map<String, String> tracked = new LinkedHashMap<>();
            for (String head : new String[] {"0.weight", "0.bias", "3.weight", "3.bias"}) {
                tracked.put("reward_head." + head, "reward_head." + head);
            }
            tracked.put(norm, "backbone_final_norm.weight");
            for (var e : tracked.entrySet()) {
                Tensor expected = ref.get("grad." + what[i] + "." + e.getValue());
                Tensor got = params.get(e.getKey()).tensor().grad();
                assertThat(RewardFixtures.maxAbsDiff(got, expected)).as(name + " " + what[i] + " grad " + e.getKey())
                        .isLessThan(1e-4 * (1 + RewardFixtures.maxAbs(expected)));
            }
        }
    }

    @Test
    void transformersSequenceClassifierLoadsAsScoreModel() throws IOException {
        Map<String, Tensor> ref = RewardFixtures.reference("llama_seqcls");
        RewardModel model = RewardModel.fromPretrained(RewardFixtures.REWARD.resolve("llama_seqcls"));
        assertThat(model.rewardConfig()).isEqualTo(RewardConfig.score());
        assertThat(model.namedParameters()).containsKey("score.weight");
        for (String side : new String[] {"right", "left"}) {
            Tensor r = model.rewards(ref.get(side + ".input_ids"), ref.get(side + ".attention_mask"));
            assertThat(RewardFixtures.maxAbsDiff(r, ref.get(side + ".logits").reshape(4))).as(side).isLessThan(1e-4);
        }
    }
}
