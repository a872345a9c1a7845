package io.rlhf4j.nn.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.testing.GradCheck;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.layers.Conv1D;
import io.rlhf4j.nn.layers.Linear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoraLinearTest {

    static final int IN = 6;
    static final int OUT = 5;
    static final int R = 3;

    /** A Linear (weight [out, in], bias) or a Conv1D (weight [in, out], bias) with random weights. */
    static Module base(boolean conv, DType dtype, long seed) {
        Module m;
        Parameter w;
        Parameter b;
        if (conv) {
            Conv1D c = new Conv1D(IN, OUT, dtype);
            m = c;
            w = c.weight();
            b = c.bias();
        } else {
            Linear l = new Linear(IN, OUT, true, dtype);
            m = l;
            w = l.weight();
            b = l.bias();
        }
        w.load(random(seed, w.shape()));
        b.load(random(seed + 1, b.shape()));
        return m;
    }

    /** An F64 leaf uniform in [−1, 1) that requires grad. */
    static Tensor random(long seed, int... shape) {
        return Generator.seed(seed).uniform(shape, -1, 1, DType.F64).requiresGrad(true);
    }

    static LoraLinear lora(Module base, double scaling, double dropout) {
        return new LoraLinear(base, R, scaling, dropout, Generator.seed(11), Generator.seed(12));
    }

    static void randomAdapter(LoraLinear l, long seed) {
        l.loraA().weight().load(random(seed, l.loraA().weight().shape()));
        l.loraB().weight().load(random(seed + 1, l.loraB().weight().shape()));
    }

    static Tensor baseWeight(Module base) {
        return base instanceof Linear l ? l.weight().tensor() : ((Conv1D) base).weight().tensor();
    }

    @Test
    void initialisationIsPeftsKaimingUniformAndZeroB() {
        Linear base = new Linear(64, 40, false, DType.F32);
        LoraLinear l = new LoraLinear(base, 16, 2.0, 0, Generator.seed(5), Generator.seed(6));
        double bound = 1 / Math.sqrt(64);
        double[] a = l.loraA().weight().tensor().toDoubleArray();
        assertThat(l.loraA().weight().shape()).containsExactly(16, 64);
        assertThat(l.loraB().weight().shape()).containsExactly(40, 16);
        double sumSq = 0;
        for (double v : a) {
            assertThat(v).isBetween(-bound, bound);
            sumSq += v * v;
        }
        // U(−b, b) has variance b²/3; 1024 draws estimate it within a few percent.
        assertThat(sumSq / a.length).isCloseTo(bound * bound / 3, within(0.15 * bound * bound / 3));
        assertThat(l.loraB().weight().tensor().toDoubleArray()).containsOnly(0.0);
        Tensor x = random(1, 2, 3, 64).to(DType.F32);
        try (var _ = Grad.disabled()) {
            assertThat(l.forward(x).toFloatArray()).containsExactly(base.forward(x).toFloatArray());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void forwardIsBasePlusScaledLowRankUpdate(boolean conv) {
        Module base = base(conv, DType.F64, 20);
        LoraLinear l = lora(base, 1.75, 0);
        randomAdapter(l, 30);
        Tensor x = random(40, 4, IN);
        double[] w = baseWeight(base).toDoubleArray();
        double[] bias = (conv ? ((Conv1D) base).bias() : ((Linear) base).bias()).tensor().toDoubleArray();
        double[] a = l.loraA().weight().tensor().toDoubleArray();
        double[] b = l.loraB().weight().tensor().toDoubleArray();
        double[] xs = x.toDoubleArray();
        double[] y;
        try (var _ = Grad.disabled()) {
            y = l.forward(x).toDoubleArray();
        }
        for (int row = 0; row < 4; row++) {
            for (int o = 0; o < OUT; o++) {
                double expected = bias[o];
                for (int i = 0; i < IN; i++) {
                    expected += xs[row * IN + i] * (conv ? w[i * OUT + o] : w[o * IN + i]);
                }
                for (int k = 0; k < R; k++) {
                    double ax = 0;
                    for (int i = 0; i < IN; i++) {
                        ax += a[k * IN + i] * xs[row * IN + i];
                    }
                    expected += 1.75 * b[o * R + k] * ax;
                }
                assertThat(y[row * OUT + o]).isCloseTo(expected, within(1e-12));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gradientsMatchFiniteDifferencesInF64(boolean conv) {
        Module base = base(conv, DType.F64, 50);
        LoraLinear l = lora(base, 0.5, 0);
        randomAdapter(l, 60);
        Tensor x = random(70, 2, 3, IN);
        Tensor[] inputs = {x, l.loraA().weight().tensor(), l.loraB().weight().tensor(), baseWeight(base)};
        assertThat(inputs).allMatch(Tensor::requiresGrad);
        GradCheck.check(in -> l.forward(in[0]), inputs);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void mergeFoldsTheUpdateAndUnmergeRestoresTheWeight(boolean conv) {
        Module base = base(conv, DType.F32, 80);
        LoraLinear l = lora(base, 2.0, 0);
        randomAdapter(l, 90);
        double[] original = baseWeight(base).toDoubleArray();
        double[] a = l.loraA().weight().tensor().toDoubleArray();
        double[] b = l.loraB().weight().tensor().toDoubleArray();
        Tensor x = random(100, 3, IN).to(DType.F32);
        try (var _ = Grad.disabled()) {
            float[] adapted = l.forward(x).toFloatArray();
            l.merge();
            l.merge();
            assertThat(l.isMerged()).isTrue();
            double[] merged = baseWeight(base).toDoubleArray();
            for (int o = 0; o < OUT; o++) {
                for (int i = 0; i < IN; i++) {
                    double delta = 0;
                    for (int k = 0; k < R; k++) {
                        delta += 2.0 * b[o * R + k] * a[k * IN + i];
                    }
                    int at = conv ? i * OUT + o : o * IN + i;
                    assertThat(merged[at] - original[at]).as("ΔW[%d,%d]", o, i).isCloseTo(delta, within(1e-5));
                }
            }
            float[] viaMerged = l.forward(x).toFloatArray();
            for (int i = 0; i < adapted.length; i++) {
                assertThat(viaMerged[i]).isCloseTo(adapted[i], within(1e-5f));
            }
            l.unmerge();
            assertThat(l.isMerged()).isFalse();
            double[] restored = baseWeight(base).toDoubleArray();
            for (int i = 0; i < original.length; i++) {
                assertThat(restored[i]).isCloseTo(original[i], within(1e-6));
            }
        }
    }

    @Test
    void dropoutActsOnTheAdapterInputInTrainingOnly() {
        Module base = base(false, DType.F32, 110);
        LoraLinear l = lora(base, 1.0, 0.5);
        Tensor x = random(120, 8, IN).to(DType.F32);
        try (var _ = Grad.disabled()) {
            l.train(true);
            // B = 0: the adapter adds nothing, and the base path is never dropped.
            assertThat(l.forward(x).toFloatArray()).containsExactly(((Linear) base).forward(x).toFloatArray());
            randomAdapter(l, 130);
            float[] trained = l.forward(x).toFloatArray();
            l.train(false);
            float[] evaluated = l.forward(x).toFloatArray();
            assertThat(trained).isNotEqualTo(evaluated);
            LoraLinear twin = lora(base(false, DType.F32, 110), 1.0, 0.5);
            randomAdapter(twin, 130);
            twin.train(true);
            twin.forward(x);
            assertThat(twin.forward(x).toFloatArray()).as("same generator, same masks").containsExactly(trained);
        }
    }
}
