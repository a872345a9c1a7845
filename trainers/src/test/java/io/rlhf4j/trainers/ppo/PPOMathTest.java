package io.rlhf4j.trainers.ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.testing.GradCheck;
import io.rlhf4j.trainers.TestAssets;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PPOAdvantages and PPOLoss against TRL's PPOTrainer.train() arithmetic (fixtures from
 * src/test/python/make_ppo_fixtures.py, float64 on both sides): every per-token array, the logged
 * objective metrics, the loss, its statistics and its gradients with respect to the policy
 * log-probabilities and the values, to 1e-10 (only summation orders differ).
 */
class PPOMathTest {

    private static final double TOL = 1e-10;

    static Stream<JsonNode> cases() {
        return StreamSupport.stream(TestAssets.fixture("ppo_fixtures.json").get("cases").spliterator(), false);
    }

    static PPOAdvantages.Result advantages(JsonNode c) {
        JsonNode a = c.get("args");
        int rows = c.get("rows").asInt();
        int[] seq = new int[rows];
        boolean[] eos = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            seq[i] = c.get("sequence_lengths").get(i).asInt();
            eos[i] = c.get("contain_eos").get(i).asBoolean();
        }
        var p = new PPOAdvantages.Params(a.get("kl_coef").asDouble(),
                a.get("kl_estimator").asText().equals("k1") ? KlEstimators.Kind.K1 : KlEstimators.Kind.K3,
                a.get("whiten_rewards").asBoolean(), a.get("gamma").asDouble(), a.get("lam").asDouble(),
                a.get("missing_eos_penalty").isNull() ? null : a.get("missing_eos_penalty").asDouble());
        return PPOAdvantages.compute(doubles(c.get("logprobs")), doubles(c.get("ref_logprobs")),
                doubles(c.get("values")), doubles(c.get("scores")), seq, eos, rows, c.get("cols").asInt(), p);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void advantagesMatchTrl(JsonNode c) {
        PPOAdvantages.Result r = advantages(c);
        JsonNode e = c.get("expected");
        assertClose("logprobs", r.logprobs(), doubles(e.get("logprobs")));
        assertClose("values", r.values(), doubles(e.get("values")));
        assertClose("kl", r.kl(), doubles(e.get("kl")));
        assertClose("rewards", r.rewards(), doubles(e.get("rewards")));
        assertClose("advantages", r.advantages(), doubles(e.get("advantages")));
        assertClose("returns", r.returns(), doubles(e.get("returns")));
        assertClose("scores", r.scores(), doubles(e.get("scores")));
        PPOMetrics.Rollout m = PPOMetrics.Rollout.of(r, c.get("rows").asInt(), c.get("cols").asInt());
        JsonNode em = e.get("metrics");
        assertThat(m.kl()).isCloseTo(em.get("objective/kl").asDouble(), within(TOL));
        assertThat(m.entropy()).isCloseTo(em.get("objective/entropy").asDouble(), within(TOL));
        assertThat(m.nonScoreReward()).isCloseTo(em.get("objective/non_score_reward").asDouble(), within(TOL));
        assertThat(m.rlhfReward()).isCloseTo(em.get("objective/rlhf_reward").asDouble(), within(TOL));
        assertThat(m.scores()).isCloseTo(em.get("objective/scores").asDouble(), within(TOL));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void lossMatchesTrl(JsonNode c) {
        int rows = c.get("rows").asInt();
        int cols = c.get("cols").asInt();
        PPOAdvantages.Result r = advantages(c);
        JsonNode a = c.get("args");
        Tensor logp = Tensor.of(doubles(c.get("new_logprobs")), rows, cols).requiresGrad(true);
        Tensor values = Tensor.of(doubles(c.get("vpred")), rows, cols).requiresGrad(true);
        PPOLoss.Result l = PPOLoss.apply(logp, values, null, Tensor.of(r.logprobs(), rows, cols),
                Tensor.of(r.advantages(), rows, cols), Tensor.of(r.returns(), rows, cols),
                Tensor.of(r.values(), rows, cols), Tensor.of(r.responseMask(), rows, cols),
                Tensor.of(r.valueMask(), rows, cols), params(a, 0));
        l.loss().backward();
        JsonNode e = c.get("loss");
        assertThat(l.loss().item()).isCloseTo(e.get("loss").asDouble(), within(TOL));
        assertThat(l.stats().policyLoss()).isCloseTo(e.get("pg_loss").asDouble(), within(TOL));
        assertThat(l.stats().valueLoss()).isCloseTo(e.get("vf_loss").asDouble(), within(TOL));
        assertThat(l.stats().policyClipfrac()).isCloseTo(e.get("pg_clipfrac").asDouble(), within(1e-7));
        assertThat(l.stats().valueClipfrac()).isCloseTo(e.get("vf_clipfrac").asDouble(), within(1e-7));
        assertThat(l.stats().approxKl()).isCloseTo(e.get("approxkl").asDouble(), within(TOL));
        assertThat(l.stats().ratioMean()).isCloseTo(e.get("ratio_mean").asDouble(), within(TOL));
        assertClose("grad logprobs", logp.grad().toDoubleArray(), doubles(e.get("grad_logprobs")));
        assertClose("grad values", values.grad().toDoubleArray(), doubles(e.get("grad_values")));
        assertThat(e.get("pg_clipfrac").asDouble() + e.get("vf_clipfrac").asDouble())
                .as("the fixtures exercise clipping").isPositive();
    }

    private static PPOLoss.Params params(JsonNode a, double entCoef) {
        return new PPOLoss.Params(a.get("cliprange").asDouble(), a.get("cliprange_value").asDouble(),
                a.get("vf_coef").asDouble(), entCoef);
    }

    /** Finite differences of the whole loss, entropy bonus included, in logp, values and entropy. */
    @Test
    void lossGradientsMatchFiniteDifferences() {
        JsonNode c = cases().toList().get(2);
        int rows = c.get("rows").asInt();
        int cols = c.get("cols").asInt();
        PPOAdvantages.Result r = advantages(c);
        PPOLoss.Params p = params(c.get("args"), 0.3);
        GradCheck.check(in -> PPOLoss.apply(in[0], in[1], in[2], Tensor.of(r.logprobs(), rows, cols),
                Tensor.of(r.advantages(), rows, cols), Tensor.of(r.returns(), rows, cols),
                Tensor.of(r.values(), rows, cols), Tensor.of(r.responseMask(), rows, cols),
                Tensor.of(r.valueMask(), rows, cols), p).loss(),
                Tensor.of(doubles(c.get("new_logprobs")), rows, cols).requiresGrad(true),
                Tensor.of(doubles(c.get("vpred")), rows, cols).requiresGrad(true),
                GradCheck.randomInRange(7, 0.5, 2, rows, cols).requiresGrad(true));
    }

    /** The entropy bonus is −ent_coef times the masked mean entropy: a formula checked directly. */
    @Test
    void entropyBonusSubtractsTheMaskedMeanEntropy() {
        Tensor z = Tensor.of(new double[] {0, 0, 0, 0}, 2, 2);
        Tensor mask = Tensor.of(new double[] {1, 1, 1, 0}, 2, 2);
        Tensor entropy = Tensor.of(new double[] {1, 2, 3, 100}, 2, 2);
        PPOLoss.Result base = PPOLoss.apply(z, z, entropy, z, z, z, z, mask, mask, new PPOLoss.Params(0.2, 0.2, 1, 0));
        PPOLoss.Result bonus = PPOLoss.apply(z, z, entropy, z, z, z, z, mask, mask,
                new PPOLoss.Params(0.2, 0.2, 1, 0.5));
        assertThat(base.loss().item()).isZero();
        assertThat(bonus.loss().item()).isCloseTo(-0.5 * 2, within(1e-15));
        assertThat(bonus.stats().entropy()).isCloseTo(2, within(1e-15));
    }

    static double[] doubles(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    private static void assertClose(String what, double[] actual, double[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(TOL));
        }
    }
}
