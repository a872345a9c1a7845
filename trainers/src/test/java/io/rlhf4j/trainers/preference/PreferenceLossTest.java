package io.rlhf4j.trainers.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.testing.GradCheck;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.dpo.DPOLoss;
import io.rlhf4j.trainers.simpo.SimPOLoss;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DPO and SimPO losses, gradients and logged metrics against TRL 1.13 itself
 * (make_dpo_fixtures.py calls DPOTrainer._compute_loss and CPOTrainer.cpo_loss on the same
 * inputs; every case has B = 4 pairs). Computed in F64 here, so the tolerance, 1e-12 relative, is
 * rounding only.
 */
class PreferenceLossTest {

    private static final double TOL = 1e-12;

    static Stream<Named<JsonNode>> cases() {
        JsonNode all = TestAssets.fixture("preference_losses.json");
        return IntStream.range(0, all.size()).mapToObj(all::get).map(c -> Named.of(c.get("method").asText() + " "
                + c.get("loss_type").asText() + " beta=" + c.get("beta") + " label_smoothing="
                + c.get("label_smoothing"), c));
    }

    private static double[] doubles(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    /** Rows 0 … B−1 of a [2B] fixture array are chosen, B … 2B−1 rejected. */
    private static Tensor half(double[] v, int which) {
        int b = v.length / 2;
        double[] out = new double[b];
        System.arraycopy(v, which * b, out, 0, b);
        return Tensor.of(out, b);
    }

    private static PairLoss compute(JsonNode c, Tensor chosen, Tensor rejected) {
        double beta = c.get("beta").asDouble();
        double eps = c.get("label_smoothing").asDouble();
        if (c.get("method").asText().equals("simpo")) {
            return new SimPOLoss(beta, c.get("simpo_gamma").asDouble(), eps).compute(chosen, rejected);
        }
        double[] ref = doubles(c.get("ref_logps"));
        double[] tokens = doubles(c.get("tokens"));
        return new DPOLoss(beta, List.of(c.get("loss_type").asText()), null, eps).compute(chosen, rejected,
                half(ref, 0), half(ref, 1), half(tokens, 0), half(tokens, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTrl(JsonNode c) {
        double[] logps = doubles(c.get("logps"));
        Tensor chosen = half(logps, 0).requiresGrad(true);
        Tensor rejected = half(logps, 1).requiresGrad(true);
        PairLoss l = compute(c, chosen, rejected);
        Tensor loss = l.mean();
        loss.backward();
        double expected = c.get("loss").asDouble();
        assertThat(loss.item()).isCloseTo(expected, within(TOL * Math.max(1, Math.abs(expected))));
        double[] grad = doubles(c.get("grad"));
        double[] got = Tensor.cat(List.of(chosen.grad(), rejected.grad()), 0).toDoubleArray();
        for (int i = 0; i < grad.length; i++) {
            assertThat(got[i]).as("d loss / d logps[%d]", i).isCloseTo(grad[i], within(TOL * Math.max(1, Math.abs(grad[i]))));
        }
        PreferenceMetrics m = new PreferenceMetrics();
        m.add(l);
        Map<String, Double> metrics = m.drain("");
        JsonNode want = c.get("metrics");
        want.propertyStream().forEach(e -> assertThat(metrics.get(e.getKey())).as(e.getKey())
                .isCloseTo(e.getValue().asDouble(), within(TOL * Math.max(1, Math.abs(e.getValue().asDouble())))));
        assertThat(metrics).hasSize(want.size());
    }

    /** Every loss type's gradient w.r.t. policy log-probs against F64 central differences. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(JsonNode c) {
        double[] logps = doubles(c.get("logps"));
        GradCheck.check(in -> compute(c, in[0], in[1]).perPair(), half(logps, 0).requiresGrad(true),
                half(logps, 1).requiresGrad(true));
    }

    /** Several loss types add up with their weights, and reference-free DPO uses zero reference log-probs. */
    @Test
    void weightedSumAndReferenceFree() {
        Tensor c = Tensor.of(new double[] {-3.0, -2.0}, 2);
        Tensor r = Tensor.of(new double[] {-4.0, -1.0}, 2);
        Tensor refC = Tensor.of(new double[] {-3.5, -2.5}, 2);
        Tensor refR = Tensor.of(new double[] {-3.0, -1.5}, 2);
        Tensor n = Tensor.of(new double[] {2, 3}, 2);
        double[] sigmoid = new DPOLoss(0.5, List.of("sigmoid"), null, 0).compute(c, r, refC, refR, n, n).perPair()
                .toDoubleArray();
        double[] hinge = new DPOLoss(0.5, List.of("hinge"), null, 0).compute(c, r, refC, refR, n, n).perPair()
                .toDoubleArray();
        double[] both = new DPOLoss(0.5, List.of("sigmoid", "hinge"), List.of(0.25, 2.0), 0)
                .compute(c, r, refC, refR, n, n).perPair().toDoubleArray();
        for (int i = 0; i < 2; i++) {
            assertThat(both[i]).isCloseTo(0.25 * sigmoid[i] + 2 * hinge[i], within(1e-12));
        }
        // Pair 0: Δ = (−3 − (−4)) = 1 with no reference; −logσ(0.5) = log(1 + e^−0.5).
        PairLoss free = new DPOLoss(0.5, List.of("sigmoid"), null, 0).compute(c, r, null, null, n, n);
        assertThat(free.perPair().toDoubleArray()[0]).isCloseTo(Math.log1p(Math.exp(-0.5)), within(1e-12));
        assertThat(free.chosenRewards()).containsExactly(-1.5, -1.0);
    }
}
