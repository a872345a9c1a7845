package io.rlhf4j.trainers.kto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.testing.GradCheck;
import io.rlhf4j.trainers.TestAssets;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KTO losses, gradients, KL estimate and logged metrics against TRL 1.13 itself
 * (make_kto_fixtures.py calls KTOTrainer._compute_loss on the same log-probs: desirable-only,
 * undesirable-only and mixed batches, both loss types, a clamped negative KL). Computed in F64
 * here, so the tolerance, 1e-12 relative, is rounding only.
 */
class KTOLossTest {

    private static final double TOL = 1e-12;

    static Stream<Named<JsonNode>> cases() {
        JsonNode all = TestAssets.fixture("kto_losses.json").get("cases");
        return IntStream.range(0, all.size()).mapToObj(all::get).map(c -> Named.of(c.get("name").asText(), c));
    }

    private static double[] doubles(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    private static boolean[] labels(JsonNode c) {
        JsonNode n = c.get("labels");
        boolean[] out = new boolean[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asBoolean();
        }
        return out;
    }

    private static Tensor vector(JsonNode c, String field) {
        double[] v = doubles(c.get(field));
        return Tensor.of(v, v.length);
    }

    private static KTOLoss loss(JsonNode c) {
        return new KTOLoss(c.get("beta").asDouble(), c.get("desirable_weight").asDouble(),
                c.get("undesirable_weight").asDouble(), c.get("loss_type").asText());
    }

    /** The reference point TRL uses: the clamped batch estimate (0 without a KL term). */
    private static double z0(JsonNode c) {
        return Math.max(KTOLoss.batchKl(vector(c, "kl_logps"), vector(c, "ref_kl_logps")), 0);
    }

    private static void close(double got, double want, String what) {
        assertThat(got).as(what).isCloseTo(want, within(TOL * Math.max(1, Math.abs(want))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTrl(JsonNode c) {
        Tensor logps = vector(c, "logps").requiresGrad(true);
        KTOLosses l = loss(c).compute(logps, vector(c, "ref_logps"), labels(c), z0(c));
        Tensor mean = l.mean();
        mean.backward();
        close(mean.item(), c.get("loss").asDouble(), "loss");
        double[] grad = doubles(c.get("grad"));
        double[] got = logps.grad().toDoubleArray();
        for (int i = 0; i < grad.length; i++) {
            close(got[i], grad[i], "d loss / d logps[" + i + "]");
        }
        KTOMetrics m = new KTOMetrics();
        m.add(l);
        Map<String, Double> metrics = m.drain("");
        JsonNode want = c.get("metrics");
        want.propertyStream().forEach(e -> close(metrics.get(e.getKey()), e.getValue().asDouble(), e.getKey()));
        assertThat(metrics).hasSize(want.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(JsonNode c) {
        GradCheck.check(in -> loss(c).compute(in[0], vector(c, "ref_logps"), labels(c), z0(c)).perExample(),
                vector(c, "logps").requiresGrad(true));
    }

    /** The formula written out for one desirable and one undesirable example (F32 inputs, as in training). */
    @Test
    void formulaOnF32Inputs() {
        Tensor logps = Tensor.of(new float[] {-3f, -5f}, 2);
        Tensor ref = Tensor.of(new float[] {-4f, -4.5f}, 2);
        KTOLosses l = new KTOLoss(0.5, 2.0, 0.25, "kto").compute(logps, ref, new boolean[] {true, false}, 0.3);
        double[] per = l.perExample().toDoubleArray();
        // desirable: ρ = 1, 2·(1 − σ(0.5·(1 − 0.3))); undesirable: ρ = −0.5, 0.25·(1 − σ(0.5·(0.3 + 0.5)))
        assertThat(per[0]).isCloseTo(2 * (1 - 1 / (1 + Math.exp(-0.35))), within(1e-6));
        assertThat(per[1]).isCloseTo(0.25 * (1 - 1 / (1 + Math.exp(-0.4))), within(1e-6));
        assertThat(l.rewards()).containsExactly(new double[] {0.5, -0.25}, within(1e-6));
        assertThat(l.kl()).isEqualTo(0.3);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new KTOLoss(0.1, 1, 1, "sigmoid")).hasMessageContaining("loss_type 'sigmoid'");
        Tensor two = Tensor.of(new double[] {1, 2}, 2);
        assertThatThrownBy(() -> new KTOLoss(0.1, 1, 1, "kto").compute(two, two, new boolean[] {true}, 0))
                .hasMessageContaining("1 labels");
        assertThatThrownBy(() -> KTOLoss.batchKl(two, Tensor.of(new double[] {1}, 1)))
                .hasMessageContaining("KL log-probs of 2");
    }
}
