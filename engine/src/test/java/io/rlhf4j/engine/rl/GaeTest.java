package io.rlhf4j.engine.rl;

import static io.rlhf4j.engine.rl.Fixtures.doubles;
import static io.rlhf4j.engine.rl.Fixtures.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GaeTest {

    @Test
    void matchesTrlPythonLoop() {
        JsonNode fx = Fixtures.load("gae.json");
        int b = fx.get("batch").asInt();
        int t = fx.get("len").asInt();
        double[] rewards = doubles(fx.get("rewards"));
        double[] values = doubles(fx.get("values"));
        double[] mask = doubles(fx.get("mask"));
        for (JsonNode c : fx.get("cases")) {
            double[] adv = new double[b * t];
            double[] ret = new double[b * t];
            Gae.compute(rewards, values, mask, b, t, c.get("gamma").asDouble(), c.get("lambda").asDouble(), adv, ret);
            assertThat(adv).containsExactly(doubles(c.get("advantages")), within(1e-12));
            assertThat(ret).containsExactly(doubles(c.get("returns")), within(1e-12));

            float[] adv32 = new float[b * t];
            float[] ret32 = new float[b * t];
            Gae.compute(floats(rewards), floats(values), floats(mask), b, t,
                    c.get("gamma").asDouble(), c.get("lambda").asDouble(), adv32, ret32);
            for (int i = 0; i < adv.length; i++) {
                assertThat((double) adv32[i]).isCloseTo(adv[i], within(1e-5));
                assertThat((double) ret32[i]).isCloseTo(ret[i], within(1e-5));
            }
        }
    }

    /** Independent form: A_t = Σ_{l ≥ 0} (γλ)^l δ_{t+l}, summed directly rather than recursively. */
    @Test
    void equalsDiscountedSumOfTdResiduals() {
        int b = 3;
        int t = 11;
        double gamma = 0.97;
        double lambda = 0.9;
        Random r = new Random(5);
        double[] rewards = new double[b * t];
        double[] values = new double[b * t];
        double[] mask = new double[b * t];
        for (int i = 0; i < b * t; i++) {
            rewards[i] = r.nextGaussian();
            values[i] = r.nextGaussian();
            mask[i] = (i % t) < t - (i / t) * 3 ? 1 : 0;   // lengths 11, 8, 5
        }
        double[] adv = new double[b * t];
        double[] ret = new double[b * t];
        Gae.compute(rewards, values, mask, b, t, gamma, lambda, adv, ret);
        for (int s = 0; s < b; s++) {
            double[] delta = new double[t];
            for (int k = 0; k < t; k++) {
                double v = values[s * t + k] * mask[s * t + k];
                double next = k + 1 < t ? values[s * t + k + 1] * mask[s * t + k + 1] : 0;
                delta[k] = rewards[s * t + k] * mask[s * t + k] + gamma * next - v;
            }
            for (int k = 0; k < t; k++) {
                double expected = 0;
                for (int l = 0; k + l < t; l++) {
                    expected += Math.pow(gamma * lambda, l) * delta[k + l];
                }
                assertThat(adv[s * t + k]).isCloseTo(expected, within(1e-12));
                assertThat(ret[s * t + k]).isCloseTo(expected + values[s * t + k] * mask[s * t + k], within(1e-12));
            }
            // padding past the response has zero reward and value: zero advantage
            for (int k = t - s * 3; k < t; k++) {
                assertThat(adv[s * t + k]).isZero();
            }
        }
    }

    @Test
    void lambdaOneGammaOneGivesRewardToGoMinusValue() {
        double[] rewards = {1, 2, 3};
        double[] values = {0.5, -1, 4};
        double[] mask = {1, 1, 1};
        double[] adv = new double[3];
        double[] ret = new double[3];
        Gae.compute(rewards, values, mask, 1, 3, 1.0, 1.0, adv, ret);
        assertThat(adv).containsExactly(new double[] {6 - 0.5, 5 + 1, 3 - 4}, within(1e-15));
        assertThat(ret).containsExactly(new double[] {6, 5, 3}, within(1e-15));
    }

    @Test
    void rejectsWrongLengths() {
        assertThatThrownBy(() -> Gae.compute(new double[5], new double[6], new double[6], 2, 3, 1, 1,
                new double[6], new double[6]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rewards");
    }
}
