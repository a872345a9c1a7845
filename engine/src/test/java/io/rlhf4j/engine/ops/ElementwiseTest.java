package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInRange;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ElementwiseTest {

    @Test
    void broadcastsLikeNumpy() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
        Tensor c = Tensor.of(new float[] {100, 200}, 2, 1);
        assertThat(a.add(b).toFloatArray()).containsExactly(11, 22, 33, 14, 25, 36);
        assertThat(a.mul(c).toFloatArray()).containsExactly(100, 200, 300, 800, 1000, 1200);
        assertThat(b.sub(c).shape()).containsExactly(2, 3);
        assertThat(a.div(b).get(1, 2)).isCloseTo(0.2, within(1e-7));
        assertThatThrownBy(() -> a.add(Tensor.of(new float[] {1, 2}, 2)))
                .hasMessageContaining("cannot be broadcast").hasMessageContaining("[2, 3]");
    }

    @Test
    void longVectorRowsMatchScalarDefinition() {
        int n = 100_003;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i);
            y[i] = (float) Math.cos(i) + 2;
        }
        float[] q = Tensor.of(x, n).div(Tensor.of(y, n)).toFloatArray();
        for (int i = 0; i < n; i += 997) {
            assertThat(q[i]).isEqualTo(x[i] / y[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(Elementwise.UnaryOp.class)
    void unaryValuesMatchFormulas(Elementwise.UnaryOp op) {
        double[] xs = {-3.5, -1, -0.25, 0.3, 1.7, 4};
        Tensor x = Tensor.of(xs, xs.length);
        UnaryOperator<Tensor> f = switch (op) {
            case EXP -> Tensor::exp;
            case LOG -> t -> t.abs().log();
            case LOG1P -> t -> t.abs().log1p();
            case SQRT -> t -> t.abs().sqrt();
            case RSQRT -> t -> t.abs().rsqrt();
            case ABS -> Tensor::abs;
            case TANH -> Tensor::tanh;
            case SIGMOID -> Tensor::sigmoid;
            case LOGSIGMOID -> Tensor::logsigmoid;
            case SOFTPLUS -> Tensor::softplus;
            case RELU -> Tensor::relu;
            case SILU -> Tensor::silu;
            case GELU -> Tensor::gelu;
            case GELU_TANH -> Tensor::geluTanh;
        };
        double[] got = f.apply(x).toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            double a = Math.abs(v);
            double expected = switch (op) {
                case EXP -> Math.exp(v);
                case LOG -> Math.log(a);
                case LOG1P -> Math.log(1 + a);
                case SQRT -> Math.sqrt(a);
                case RSQRT -> 1 / Math.sqrt(a);
                case ABS -> a;
                case TANH -> (Math.exp(2 * v) - 1) / (Math.exp(2 * v) + 1);
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case LOGSIGMOID -> Math.log(1 / (1 + Math.exp(-v)));
                case SOFTPLUS -> Math.log(1 + Math.exp(v));
                case RELU -> Math.max(0, v);
                case SILU -> v / (1 + Math.exp(-v));
                case GELU -> 0.5 * v * (1 + ERF_REFERENCE[i]);
                case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            };
            assertThat(got[i]).as("%s(%s)", op, v).isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
        }
    }

    /** erf(x/√2) for the inputs above, printed by Python's math.erf. */
    private static final double[] ERF_REFERENCE = {
        -0.9995347418419289, -0.6826894921370859, -0.19741265136584743,
        0.23582284437790524, 0.9108690744829139, 0.9999366575163338};

    @Test
    void softplusAndLogsigmoidStayFiniteForLargeInputs() {
        Tensor x = Tensor.of(new double[] {-800, 800}, 2);
        assertThat(x.softplus().toDoubleArray()).containsExactly(new double[] {0, 800}, within(1e-300));
        assertThat(x.logsigmoid().toDoubleArray()).containsExactly(new double[] {-800, 0}, within(1e-300));
    }

    @Test
    void erfMatchesReferenceToDoublePrecision() {
        // Python's math.erf
        assertThat(SpecialFunctions.erf(0.5)).isCloseTo(0.5204998778130465, within(2e-16));
        assertThat(SpecialFunctions.erf(2.0)).isCloseTo(0.9953222650189527, within(2e-16));
        assertThat(SpecialFunctions.erf(-3.0)).isCloseTo(-0.9999779095030014, within(2e-16));
        assertThat(SpecialFunctions.erf(0)).isZero();
    }

    @Test
    void binaryGradientsWithBroadcasting() {
        Tensor a = randomInput(1, 2, 3);
        Tensor b = randomInput(2, 3);
        Tensor c = randomInRange(3, 1.5, 3, 2, 1);
        check(t -> t[0].add(t[1]).mul(t[2]), a, b, c);
        check(t -> t[0].sub(t[1]).div(t[2]), a, b, c);
        check(t -> t[0].maximum(t[1]).add(t[0].minimum(t[1])), a, b);
    }

    @ParameterizedTest
    @EnumSource(Elementwise.UnaryOp.class)
    void unaryGradients(Elementwise.UnaryOp op) {
        boolean positiveOnly = switch (op) {
            case LOG, LOG1P, SQRT, RSQRT -> true;
            default -> false;
        };
        Tensor x = positiveOnly ? randomInRange(7, 0.2, 3, 3, 4) : randomInRange(7, -3, 3, 3, 4);
        check(t -> Elementwise.unary(t[0], op), x);
    }

    @Test
    void scalarOpsPowAndClampGradients() {
        Tensor x = randomInRange(11, 0.1, 2, 5);
        check(t -> t[0].mul(3).add(1).sub(0.5).div(2).rsub(1).neg(), x);
        check(t -> t[0].pow(1.5).add(t[0].square()), x);
        check(t -> t[0].clamp(0.5, 1.5), x);
    }

    @Test
    void bf16InputsAreWidenedAndGradientsReturnInTheirDtype() {
        Tensor a = Tensor.of(new float[] {1.5f, -2.25f}, 2).to(DType.BF16).requiresGrad(true);
        Tensor y = a.mul(Tensor.of(new float[] {2, 4}, 2));
        assertThat(y.dtype()).isEqualTo(DType.F32);
        assertThat(y.toFloatArray()).containsExactly(3f, -9f);
        y.sum().backward();
        assertThat(a.grad().dtype()).isEqualTo(DType.BF16);
        assertThat(a.grad().toFloatArray()).containsExactly(2f, 4f);
    }
}
