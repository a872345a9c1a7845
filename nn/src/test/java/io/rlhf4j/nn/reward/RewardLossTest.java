package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.testing.GradCheck;
import io.rlhf4j.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class RewardLossTest {

    /** −(1−ε)·log σ(x) − ε·log σ(−x), written with log1p(exp(∓x)) rather than the engine's logsigmoid. */
    private static double smoothedBce(double x, double eps) {
        return (1 - eps) * Math.log1p(Math.exp(-x)) + eps * Math.log1p(Math.exp(x));
    }

    @Test
    void bradleyTerryMatchesTheFormula() {
        double[] c = {1.5, -0.25, 3.0};
        double[] r = {0.5, 0.75, -2.0};
        double[] m = {0.2, 0.0, -1.0};
        double eps = 0.1;
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            expected += smoothedBce(c[i] - r[i] - m[i], eps) / 3;
        }
        Tensor loss = RewardLoss.bradleyTerry(Tensor.of(c, 3), Tensor.of(r, 3), Tensor.of(m, 3), eps);
        assertThat(loss.item()).isCloseTo(expected, within(1e-12));
        Tensor plain = RewardLoss.bradleyTerry(Tensor.of(c, 3), Tensor.of(r, 3), null, 0);
        double expectedPlain = (smoothedBce(1.0, 0) + smoothedBce(-1.0, 0) + smoothedBce(5.0, 0)) / 3;
        assertThat(plain.item()).isCloseTo(expectedPlain, within(1e-12));
    }

    @Test
    void regularisersAndDiagnostics() {
        Parameter a = Parameter.copyOf(Tensor.of(new double[] {1, -2, 3}, 3), DType.F64);
        Parameter b = Parameter.copyOf(Tensor.of(new double[] {0.5, 0.5}, 1, 2), DType.F64);
        Tensor c = Tensor.of(new double[] {2, -1}, 2);
        Tensor r = Tensor.of(new double[] {1, 0}, 2);
        RewardLoss.Output out = new RewardLoss(0, 0.01, 0.5).compute(c, r, null, List.of(a, b));
        double bt = (smoothedBce(1, 0) + smoothedBce(-1, 0)) / 2;
        double l2 = 0.01 * (1 + 4 + 9 + 0.25 + 0.25);
        double center = 0.5 * (9 + 1) / 2;
        assertThat(out.loss().item()).isCloseTo(bt + l2 + center, within(1e-12));
        assertThat(out.accuracy()).isEqualTo(0.5);
        assertThat(out.rewardMargin()).isCloseTo(0.0, within(1e-15));
        assertThat(RewardLoss.l2Penalty(List.of(), 3).item()).isZero();
    }

    @Test
    void gradientsOfBradleyTerryWithMarginAndSmoothing() {
        Tensor margin = Tensor.of(new double[] {0.3, -0.2, 0.0, 1.0}, 4);
        GradCheck.check(in -> RewardLoss.bradleyTerry(in[0], in[1], margin, 0.15),
                GradCheck.randomInRange(1, -3, 3, 4), GradCheck.randomInRange(2, -3, 3, 4));
        GradCheck.check(in -> RewardLoss.bradleyTerry(in[0], in[1], null, 0),
                GradCheck.randomInRange(3, -3, 3, 4), GradCheck.randomInRange(4, -3, 3, 4));
    }

    @Test
    void gradientsOfTheFullLossIncludingRegularisers() {
        Parameter p = Parameter.copyOf(GradCheck.randomInput(5, 3, 2).detach(), DType.F64);
        Parameter q = Parameter.copyOf(GradCheck.randomInput(6, 4).detach(), DType.F64);
        RewardLoss loss = new RewardLoss(0.1, 0.02, 0.3);
        Tensor margin = Tensor.of(new double[] {0.5, -0.25, 0.1}, 3);
        GradCheck.check(in -> loss.compute(in[0], in[1], margin, List.of(p, q)).loss(),
                GradCheck.randomInRange(7, -2, 2, 3), GradCheck.randomInRange(8, -2, 2, 3), p.tensor(), q.tensor());
    }

    @Test
    void rejectsBadArguments() {
        Tensor two = Tensor.of(new double[] {1, 2}, 2);
        assertThatThrownBy(() -> RewardLoss.bradleyTerry(two, Tensor.of(new double[] {1, 2, 3}, 3), null, 0))
                .hasMessageContaining("[2]").hasMessageContaining("[3]");
        assertThatThrownBy(() -> RewardLoss.bradleyTerry(two, two, Tensor.of(new double[] {1}, 1), 0))
                .hasMessageContaining("margin");
        assertThatThrownBy(() -> new RewardLoss(0.5, 0, 0)).hasMessageContaining("labelSmoothing");
        assertThatThrownBy(() -> new RewardLoss(0, -1, 0)).hasMessageContaining("l2Coefficient");
    }
}
