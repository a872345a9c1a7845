package io.rlhf4j.engine.rl;

import static io.rlhf4j.engine.rl.Fixtures.doubles;
import static io.rlhf4j.engine.rl.Fixtures.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.rl.KlEstimators.Kind;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KlEstimatorsTest {

    private static final JsonNode FX = Fixtures.load("kl.json");
    private static final double[] LOGP = doubles(FX.get("logp"));
    private static final double[] REF = doubles(FX.get("ref"));
    private static final double[] MASK = doubles(FX.get("mask"));

    @Test
    void perTokenMeanAndGradientMatchTorch() {
        for (Kind kind : Kind.values()) {
            JsonNode k = FX.get("kinds").get(kind.name());
            double[] perToken = new double[LOGP.length];
            KlEstimators.perToken(kind, LOGP, REF, perToken);
            assertThat(perToken).as(kind.name()).containsExactly(doubles(k.get("per_token")), within(1e-12));
            assertThat(KlEstimators.maskedMean(kind, LOGP, REF, MASK)).as(kind.name())
                    .isCloseTo(k.get("masked_mean").asDouble(), within(1e-12));
            double[] grad = new double[LOGP.length];
            KlEstimators.maskedMeanGrad(kind, LOGP, REF, MASK, 1.0, grad);
            assertThat(grad).as(kind.name()).containsExactly(doubles(k.get("grad_logp")), within(1e-12));

            assertThat((double) KlEstimators.maskedMean(kind, floats(LOGP), floats(REF), floats(MASK)))
                    .isCloseTo(k.get("masked_mean").asDouble(), within(1e-5));
            float[] grad32 = new float[LOGP.length];
            KlEstimators.maskedMeanGrad(kind, floats(LOGP), floats(REF), floats(MASK), 1.0, grad32);
            for (int i = 0; i < grad.length; i++) {
                assertThat((double) grad32[i]).isCloseTo(grad[i], within(1e-5));
            }
        }
    }

    /** Against the textbook forms, written with exp and log rather than expm1. */
    @Test
    void k3IsTrlsGrpoFormAndNonNegative() {
        Random r = new Random(3);
        for (int i = 0; i < 1000; i++) {
            double logp = -5 * r.nextDouble();
            double ref = -5 * r.nextDouble();
            double d = ref - logp;
            assertThat(Kind.K3.value(logp - ref)).isCloseTo(Math.exp(d) - d - 1, within(1e-12))
                    .isGreaterThanOrEqualTo(0);
            // k3 = E-unbiased estimate of KL(π‖π_ref) through the ratio ρ = π_ref/π: ρ − 1 − log ρ
            double rho = Math.exp(ref) / Math.exp(logp);
            assertThat(Kind.K3.value(logp - ref)).isCloseTo(rho - 1 - Math.log(rho), within(1e-9));
        }
        // tiny r: expm1 keeps the ½r² leading term that exp(−r) − 1 + r would round away
        assertThat(Kind.K3.value(1e-9)).isCloseTo(0.5e-18, within(1e-24));
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random r = new Random(11);
        int n = 17;
        double[] logp = new double[n];
        double[] ref = new double[n];
        double[] mask = new double[n];
        for (int i = 0; i < n; i++) {
            logp[i] = -3 * r.nextDouble();
            ref[i] = logp[i] + r.nextGaussian();
            mask[i] = i % 4 == 0 ? 0 : 1;
        }
        double g = 0.7;
        for (Kind kind : Kind.values()) {
            double[] grad = new double[n];
            KlEstimators.maskedMeanGrad(kind, logp, ref, mask, g, grad);
            for (int i = 0; i < n; i++) {
                double fd = Fixtures.centralDifference(x -> g * KlEstimators.maskedMean(kind, x, ref, mask), logp, i);
                assertThat(grad[i]).as("%s d/dlogp[%d]", kind, i).isCloseTo(fd, within(1e-7));
            }
        }
    }

    @Test
    void maskedPaddingWithInfiniteLogprobsContributesNothing() {
        double[] logp = {-1, Double.NEGATIVE_INFINITY};
        double[] ref = {-2, -3};
        double[] mask = {1, 0};
        double[] grad = new double[2];
        for (Kind kind : Kind.values()) {
            assertThat(KlEstimators.maskedMean(kind, logp, ref, mask)).isEqualTo(kind.value(1.0));
            KlEstimators.maskedMeanGrad(kind, logp, ref, mask, 1.0, grad);
            assertThat(grad).containsExactly(kind.derivative(1.0), 0.0);
        }
        assertThat(KlEstimators.maskedMean(Kind.K3, logp, ref, new double[] {0, 0})).isZero();
    }
}
