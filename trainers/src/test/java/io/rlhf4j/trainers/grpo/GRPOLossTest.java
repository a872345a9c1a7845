package io.rlhf4j.trainers.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.trainers.TestAssets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GRPOLoss against trl 1.13's own GRPOTrainer._compute_loss (fixtures from
 * src/test/python/make_grpo_fixtures.py, all F64): loss, gradient with respect to the policy
 * log-probabilities to 1e-12 (both sides compute in F64; only the summation order differs), and the
 * logged kl / clip ratios to 1e-7 (trl computes the ratios from float32 masks).
 */
class GRPOLossTest {

    private static final double TOL = 1e-12;
    private static final double METRIC_TOL = 1e-7;

    static Stream<JsonNode> cases() {
        return Stream.of(TestAssets.fixture("grpo_fixtures.json").get("loss")).flatMap(n -> {
            Stream.Builder<JsonNode> b = Stream.builder();
            n.forEach(b::add);
            return b.build();
        });
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void matchesTrl(JsonNode c) {
        int rows = c.get("rows").asInt();
        int cols = c.get("cols").asInt();
        Tensor logp = Tensor.of(doubles(c.get("logp")), rows, cols).requiresGrad(true);
        Tensor old = c.get("old_logp").isNull() ? null : Tensor.of(doubles(c.get("old_logp")), rows, cols);
        Tensor ref = Tensor.of(doubles(c.get("ref_logp")), rows, cols);
        Tensor adv = Tensor.of(doubles(c.get("advantages")), rows);
        Tensor mask = Tensor.of(doubles(c.get("mask")), rows, cols);
        Tensor w = GRPOLoss.weights(c.get("loss_type").asText(), mask, c.get("accumulation").asInt(),
                c.get("window_tokens").asDouble(), c.get("max_completion_length").asInt());
        double beta = c.get("beta").asDouble();
        GRPOLoss.Result r = GRPOLoss.apply(logp, old, ref, adv, mask, w,
                new GRPOLoss.Params(c.get("epsilon_low").asDouble(), c.get("epsilon_high").asDouble(), beta));
        r.loss().backward();

        assertThat(r.loss().item()).isCloseTo(c.get("loss").asDouble(), within(TOL));
        double[] grad = logp.grad().toDoubleArray();
        double[] expected = doubles(c.get("grad"));
        for (int i = 0; i < grad.length; i++) {
            assertThat(grad[i]).as("grad[%d]", i).isCloseTo(expected[i], within(TOL));
        }
        GRPOLoss.Stats s = r.stats();
        if (beta != 0) {
            assertThat(s.klSum() / s.tokens()).isCloseTo(c.get("kl").asDouble(), within(METRIC_TOL));
        }
        assertThat(s.lowClip() / s.tokens()).isCloseTo(c.get("clip_low").asDouble(), within(METRIC_TOL));
        assertThat(s.highClip() / s.tokens()).isCloseTo(c.get("clip_high").asDouble(), within(METRIC_TOL));
        assertThat((s.lowClip() + s.highClip()) / s.tokens()).isCloseTo(c.get("clip_region").asDouble(), within(METRIC_TOL));
    }

    @Test
    void fixturesExerciseClippingAndEveryLossType() {
        assertThat(cases().filter(c -> c.get("clip_region").asDouble() > 0).count()).isGreaterThan(8);
        assertThat(cases().map(c -> c.get("loss_type").asText()).distinct())
                .containsExactlyInAnyOrder("grpo", "bnpo", "dr_grpo", "dapo");
    }

    /** Central differences in F64 at points away from the clip boundaries. */
    @Test
    void gradientMatchesFiniteDifferences() {
        int rows = 3;
        int cols = 4;
        double[] x = new double[rows * cols];
        double[] old = new double[x.length];
        double[] ref = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = -0.3 - 0.17 * i;
            old[i] = x[i] + (i % 3 - 1) * 0.35;
            ref[i] = x[i] + 0.1 * Math.sin(i);
        }
        double[] a = {0.9, -1.3, 0.4};
        double[] m = {1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0};
        Tensor mask = Tensor.of(m, rows, cols);
        GRPOLoss.Params p = new GRPOLoss.Params(0.2, 0.28, 0.1);
        for (String type : new String[] {"grpo", "bnpo", "dr_grpo", "dapo"}) {
            Tensor w = GRPOLoss.weights(type, mask, 2, 20, 6);
            Tensor leaf = Tensor.of(x, rows, cols).requiresGrad(true);
            GRPOLoss.apply(leaf, Tensor.of(old, rows, cols), Tensor.of(ref, rows, cols), Tensor.of(a, rows), mask, w, p)
                    .loss().backward();
            double[] g = leaf.grad().toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < x.length; i++) {
                double[] up = x.clone();
                double[] down = x.clone();
                up[i] += h;
                down[i] -= h;
                double fd = (value(up, old, ref, a, mask, w, p) - value(down, old, ref, a, mask, w, p)) / (2 * h);
                assertThat(g[i]).as("%s grad[%d]", type, i).isCloseTo(fd, within(1e-7));
            }
        }
    }

    @Test
    void weightsFollowEachLossTypesNormaliser() {
        Tensor mask = Tensor.of(new double[] {1, 1, 1, 0, 1, 0}, 2, 3);
        assertThat(GRPOLoss.weights("grpo", mask, 2, 10, 5).toDoubleArray())
                .containsExactly(1.0 / 12, 1.0 / 12, 1.0 / 12, 0, 1.0 / 4, 0);
        assertThat(GRPOLoss.weights("bnpo", mask, 2, 10, 5).toDoubleArray())
                .containsExactly(1.0 / 8, 1.0 / 8, 1.0 / 8, 0, 1.0 / 8, 0);
        assertThat(GRPOLoss.weights("dr_grpo", mask, 2, 10, 5).toDoubleArray())
                .containsExactly(1.0 / 20, 1.0 / 20, 1.0 / 20, 0, 1.0 / 20, 0);
        assertThat(GRPOLoss.weights("dapo", mask, 2, 10, 5).toDoubleArray())
                .containsExactly(0.1, 0.1, 0.1, 0, 0.1, 0);
        assertThatThrownBy(() -> GRPOLoss.weights("cispo", mask, 1, 1, 1)).hasMessageContaining("loss_type");
    }

    @Test
    void betaNeedsReferenceLogProbs() {
        Tensor x = Tensor.of(new double[] {-1, -2}, 1, 2);
        Tensor m = Tensor.of(new double[] {1, 1}, 1, 2);
        assertThatThrownBy(() -> GRPOLoss.apply(x, null, null, Tensor.of(new double[] {1}, 1), m, m,
                new GRPOLoss.Params(0.2, 0.2, 0.1))).hasMessageContaining("refLogp");
    }

    private static double value(double[] x, double[] old, double[] ref, double[] a, Tensor mask, Tensor w,
            GRPOLoss.Params p) {
        int rows = mask.shape(0);
        int cols = mask.shape(1);
        return GRPOLoss.apply(Tensor.of(x, rows, cols), Tensor.of(old, rows, cols), Tensor.of(ref, rows, cols),
                Tensor.of(a, rows), mask, w, p).loss().item();
    }

    static double[] doubles(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }
}
