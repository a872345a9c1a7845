package io.rlhf4j.engine.rl;

import static io.rlhf4j.engine.rl.Fixtures.doubles;
import static io.rlhf4j.engine.rl.Fixtures.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PpoClipLossTest {

    @Test
    void lossAndGradientMatchTorchAutograd() {
        JsonNode fx = Fixtures.load("ppo_clip.json");
        int t = fx.get("len").asInt();
        double[] logp = doubles(fx.get("logp"));
        double[] old = doubles(fx.get("old_logp"));
        double[] mask = doubles(fx.get("mask"));
        for (JsonNode c : fx.get("cases")) {
            PpoClipLoss loss = new PpoClipLoss(c.get("eps_low").asDouble(), c.get("eps_high").asDouble(),
                    c.get("per_sequence").asBoolean() ? t : 0);
            double[] adv = doubles(c.get("adv"));
            double[] perToken = new double[logp.length];
            loss.perToken(logp, old, adv, perToken);
            assertThat(perToken).containsExactly(doubles(c.get("per_token")), within(1e-12));
            assertThat(loss.loss(logp, old, adv, mask)).isCloseTo(c.get("loss").asDouble(), within(1e-12));
            double[] grad = new double[logp.length];
            loss.grad(logp, old, adv, mask, 1.0, grad);
            assertThat(grad).containsExactly(doubles(c.get("grad_logp")), within(1e-12));

            assertThat((double) loss.loss(floats(logp), floats(old), floats(adv), floats(mask)))
                    .isCloseTo(c.get("loss").asDouble(), within(1e-5));
            float[] grad32 = new float[logp.length];
            loss.grad(floats(logp), floats(old), floats(adv), floats(mask), 1.0, grad32);
            for (int i = 0; i < grad.length; i++) {
                assertThat((double) grad32[i]).isCloseTo(grad[i], within(1e-5));
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAwayFromClipEdges() {
        Random r = new Random(7);
        int b = 3;
        int t = 10;
        double[] old = new double[b * t];
        double[] logp = new double[b * t];
        double[] mask = new double[b * t];
        double[] adv = new double[b];
        for (int i = 0; i < b * t; i++) {
            old[i] = -3 * r.nextDouble();
            mask[i] = i % t < t - i / t ? 1 : 0;
            double logRatio;
            do {
                logRatio = 0.4 * r.nextGaussian();
            } while (Math.abs(Math.exp(logRatio) - 0.8) < 1e-3 || Math.abs(Math.exp(logRatio) - 1.3) < 1e-3);
            logp[i] = old[i] + logRatio;
        }
        for (int s = 0; s < b; s++) {
            adv[s] = r.nextGaussian();
        }
        PpoClipLoss loss = new PpoClipLoss(0.2, 0.3, t);
        double g = -1.3;
        double[] grad = new double[b * t];
        loss.grad(logp, old, adv, mask, g, grad);
        int clippedTokens = 0;
        for (int i = 0; i < b * t; i++) {
            double fd = Fixtures.centralDifference(x -> g * loss.loss(x, old, adv, mask), logp, i);
            assertThat(grad[i]).as("d/dlogp[%d]", i).isCloseTo(fd, within(1e-7));
            clippedTokens += mask[i] != 0 && grad[i] == 0 ? 1 : 0;
        }
        assertThat(clippedTokens).as("the case must exercise the clipped branch").isPositive();
    }

    /** By hand, one token each: A = 2 with ratio e^0.5 (clipped above), A = −1 with ratio e^−0.5. */
    @Test
    void clippedBranchesByHand() {
        PpoClipLoss loss = new PpoClipLoss(0.2, 0.2, 0);
        double[] perToken = new double[2];
        loss.perToken(new double[] {0.5, -0.5}, new double[] {0, 0}, new double[] {2, -1}, perToken);
        assertThat(perToken[0]).isCloseTo(-2 * 1.2, within(1e-15));
        assertThat(perToken[1]).isCloseTo(0.8, within(1e-15));
        double[] grad = new double[2];
        loss.grad(new double[] {0.5, -0.1}, new double[] {0, 0}, new double[] {2, -1}, new double[] {1, 1}, 1.0, grad);
        assertThat(grad[0]).isZero();
        assertThat(grad[1]).isCloseTo(Math.exp(-0.1) / 2, within(1e-15));
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new PpoClipLoss(1.0, 0.2, 0)).hasMessageContaining("epsLow");
        PpoClipLoss perSeq = new PpoClipLoss(0.2, 0.2, 4);
        assertThatThrownBy(() -> perSeq.loss(new double[8], new double[8], new double[3], new double[8]))
                .hasMessageContaining("per-sequence adv");
    }
}
