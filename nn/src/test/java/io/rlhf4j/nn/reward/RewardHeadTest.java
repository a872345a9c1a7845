package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.testing.GradCheck;
import io.rlhf4j.nn.Parameter;
import org.junit.jupiter.api.Test;

class RewardHeadTest {

    private static MlpRewardHead f64Head(long seed) {
        MlpRewardHead head = new MlpRewardHead(5, 6, 0.1, 1, DType.F64);
        int i = 0;
        for (Parameter p : head.parameters()) {
            p.load(GradCheck.randomInput(seed + i++, p.shape()).detach());
        }
        head.eval();
        return head;
    }

    @Test
    void headNamesFollowTorchSequential() {
        assertThat(new MlpRewardHead(4, 8, 0.1, 1, DType.F32).namedParameters().keySet())
                .containsExactly("0.weight", "0.bias", "3.weight", "3.bias");
        assertThat(new MlpRewardHead(4, 8, 0.1, 1, DType.F32).namedParameters().get("0.weight").shape())
                .containsExactly(8, 4);
    }

    @Test
    void headComputesLinearGeluLinear() {
        MlpRewardHead head = f64Head(10);
        Tensor x = GradCheck.randomInput(20, 2, 5).detach();
        double[] w0 = head.first().weight().tensor().toDoubleArray();
        double[] b0 = head.first().bias().tensor().toDoubleArray();
        double[] w3 = head.last().weight().tensor().toDoubleArray();
        double b3 = head.last().bias().tensor().get(0);
        double[] xs = x.toDoubleArray();
        Tensor r = head.forward(x);
        for (int b = 0; b < 2; b++) {
            double out = b3;
            for (int j = 0; j < 6; j++) {
                double h = b0[j];
                for (int k = 0; k < 5; k++) {
                    h += w0[j * 5 + k] * xs[b * 5 + k];
                }
                out += w3[j] * h * 0.5 * (1 + erf(h / Math.sqrt(2)));
            }
            assertThat(r.get(b)).isCloseTo(out, within(1e-6));
        }
    }

    /** Abramowitz-Stegun 7.1.26 (|error| ≤ 1.5e-7), an independent erf for the reference. */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-x * x);
        return Math.signum(x) * y;
    }

    @Test
    void gradientsOfHeadParametersAndPooledInput() {
        MlpRewardHead head = f64Head(30);
        Tensor[] params = head.parameters().stream().map(Parameter::tensor).toArray(Tensor[]::new);
        Tensor x = GradCheck.randomInput(40, 3, 5);
        GradCheck.check(in -> head.forward(in[0]), x, params[0], params[1], params[2], params[3]);
    }

    @Test
    void gradientsThroughBothPoolings() {
        MlpRewardHead head = f64Head(50);
        Tensor mask = Tensor.ofLongs(new long[] {1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1}, 3, 4);
        for (Pooling pooling : Pooling.values()) {
            GradCheck.check(in -> head.forward(pooling.pool(in[0], mask)), GradCheck.randomInput(60, 3, 4, 5));
        }
    }

    @Test
    void poolingPicksLastTokenAndMaskedMean() {
        Tensor hidden = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4, 1);
        Tensor mask = Tensor.ofLongs(new long[] {0, 1, 1, 0, 1, 1, 1, 1}, 2, 4);
        assertThat(Pooling.LAST_TOKEN.pool(hidden, mask).toDoubleArray()).containsExactly(3, 8);
        assertThat(Pooling.MEAN.pool(hidden, mask).toDoubleArray()).containsExactly(2.5, 6.5);
        assertThatThrownBy(() -> Pooling.MEAN.pool(hidden, Tensor.ofLongs(new long[] {1, 1, 1, 1, 0, 0, 0, 0}, 2, 4)))
                .hasMessageContaining("row 1");
    }

    @Test
    void dropoutActsInTrainingModeOnly() {
        MlpRewardHead head = new MlpRewardHead(8, 64, 0.5, 3, DType.F32);
        head.initialise(Generator.seed(2));
        head.last().bias().load(Tensor.of(new float[] {0.25f}, 1));
        Tensor x = Tensor.of(new float[] {0.5f, -1, 2, 0.1f, -0.3f, 1.2f, 0.7f, -2}, 1, 8);
        head.eval();
        double eval = head.forward(x).get(0);
        head.train();
        double trainA = head.forward(x).get(0);
        double trainB = head.forward(x).get(0);
        assertThat(trainA).isNotEqualTo(eval);
        assertThat(trainB).as("a fresh mask each call").isNotEqualTo(trainA);
        head.eval();
        assertThat(head.forward(x).get(0)).isEqualTo(eval);
    }

    @Test
    void initialisationIsSeededWithStdOneOverSqrtHiddenPlusOne() {
        int hidden = 64;
        MlpRewardHead a = new MlpRewardHead(hidden, 256, 0.1, 1, DType.F32);
        MlpRewardHead b = new MlpRewardHead(hidden, 256, 0.1, 1, DType.F32);
        a.initialise(Generator.seed(7));
        b.initialise(Generator.seed(7));
        double[] w = a.first().weight().tensor().toDoubleArray();
        assertThat(w).containsExactly(b.first().weight().tensor().toDoubleArray());
        double squares = 0;
        for (double v : w) {
            squares += v * v;
        }
        // 16384 draws: the sample std is within a few percent of 1/√65 ≈ 0.124.
        assertThat(Math.sqrt(squares / w.length)).isCloseTo(1 / Math.sqrt(hidden + 1), within(0.005));
        assertThat(a.first().bias().tensor().toDoubleArray()).containsOnly(0);
        assertThat(a.last().bias().tensor().toDoubleArray()).containsOnly(0);
        assertThat(a.last().weight().tensor().toDoubleArray()).doesNotContain(0.0);
    }
}
