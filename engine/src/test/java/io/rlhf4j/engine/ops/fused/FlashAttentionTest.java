package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static io.rlhf4j.engine.ops.fused.Fixtures.tensor;
import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Flash attention against torch's scaled_dot_product_attention (fixtures) and finite differences. */
class FlashAttentionTest {

    private static void compareWithTorch(String name) {
        JsonNode c = Fixtures.load("attention.json", name);
        Tensor q = tensor(c, "q").requiresGrad(true);
        Tensor k = tensor(c, "k").requiresGrad(true);
        Tensor v = tensor(c, "v").requiresGrad(true);
        double scale = c.has("scale") ? c.get("scale").asDouble() : Double.NaN;
        Tensor y = F.scaledDotProductAttention(q, k, v, tensor(c, "mask"), c.get("causal").asBoolean(), scale);
        assertClose(y, tensor(c, "y"), 1e-5, 1e-6, name + " y");
        if (c.has("y_is_causal")) {
            assertClose(y, tensor(c, "y_is_causal"), 1e-5, 1e-6, name + " vs torch is_causal (T = S)");
        }
        y.backward(tensor(c, "g"));
        assertClose(q.grad(), tensor(c, "dq"), 1e-5, 1e-5, name + " dq");
        assertClose(k.grad(), tensor(c, "dk"), 1e-5, 1e-5, name + " dk");
        assertClose(v.grad(), tensor(c, "dv"), 1e-5, 1e-5, name + " dv");
    }

    @Test
    void groupedQueryCausalMatchesTorch() {
        compareWithTorch("gqa_causal");
    }

    @Test
    void paddingOverSeveralBlocksMatchesTorch() {
        compareWithTorch("gqa_causal_padding");
    }

    @Test
    void causalWithMoreKeysThanQueriesIsBottomRightAligned() {
        compareWithTorch("cross_length_causal");
    }

    @Test
    void paddingMaskAndExplicitScaleMatchTorch() {
        compareWithTorch("cross_length_padding_scaled");
    }

    @Test
    void gradientsWithGqaCausalPaddingAndUnequalLengths() {
        Tensor q = randomInput(21, 2, 4, 3, 5);
        Tensor k = randomInput(22, 2, 2, 5, 5);
        Tensor v = randomInput(23, 2, 2, 5, 5);
        Tensor mask = Tensor.ofLongs(new long[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 0}, 2, 5);
        check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], mask, true), q, k, v);
        check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], mask, false, 0.7), q, k, v);
        check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], null, true), q, k, v);
    }

    @Test
    void gradientsAcrossSeveralQueryAndKeyBlocks() {
        Tensor q = randomInput(24, 1, 2, 70, 2);
        Tensor k = randomInput(25, 1, 1, 70, 2);
        Tensor v = randomInput(26, 1, 1, 70, 2);
        check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], null, true), q, k, v);
    }

    @Test
    void fullyMaskedQueriesGiveZeroOutputAndZeroGradientNotNaN() {
        // T = 2, S = 2, causal: query 0 sees only key 0, which the mask removes.
        Tensor q = randomInput(27, 1, 1, 2, 3);
        Tensor k = randomInput(28, 1, 1, 2, 3);
        Tensor v = randomInput(29, 1, 1, 2, 3);
        Tensor mask = Tensor.of(new float[] {0, 1}, 1, 2).to(DType.BOOL);
        Tensor y = F.scaledDotProductAttention(q, k, v, mask, true);
        assertThat(y.toDoubleArray()).startsWith(0.0, 0.0, 0.0);
        // query 1 sees only key 1: its output is v[1] exactly
        assertThat(y.narrow(2, 1, 1).toDoubleArray()).containsExactly(v.narrow(2, 1, 1).toDoubleArray());
        y.sum().backward();
        assertThat(q.grad().toDoubleArray()).containsOnly(0.0);
        for (double g : k.grad().toDoubleArray()) {
            assertThat(g).isNotNaN();
        }
        check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], mask, true), q, k, v);
    }

    @Test
    void aQueryThatSeesOneKeyCopiesItsValue() {
        Tensor q = Tensor.of(new float[] {1, 0}, 1, 1, 1, 2);
        Tensor k = Tensor.of(new float[] {5, 0, -5, 0}, 1, 1, 2, 2);
        Tensor v = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        // scale 1: softmax([5, -5]) = [1/(1+e^-10), e^-10/(1+e^-10)]
        double p = 1 / (1 + Math.exp(-10));
        float[] y = F.scaledDotProductAttention(q, k, v, null, false, 1).toFloatArray();
        assertThat((double) y[0]).isCloseTo(p * 1 + (1 - p) * 3, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) y[1]).isCloseTo(p * 2 + (1 - p) * 4, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void bf16InputsAreComputedInF32AndRoundedOnce() {
        Tensor q = randomInput(30, 1, 2, 5, 8).detach().to(DType.BF16);
        Tensor k = randomInput(31, 1, 1, 7, 8).detach().to(DType.BF16);
        Tensor v = randomInput(32, 1, 1, 7, 8).detach().to(DType.BF16);
        Tensor y = F.scaledDotProductAttention(q, k, v, null, true);
        assertThat(y.dtype()).isEqualTo(DType.BF16);
        Tensor reference = F.scaledDotProductAttention(q.to(DType.F32), k.to(DType.F32), v.to(DType.F32), null, true);
        assertThat(y.toFloatArray()).containsExactly(reference.to(DType.BF16).toFloatArray());
    }

    @Test
    void rejectsHeadCountsThatDoNotGroup() {
        assertThatThrownBy(() -> F.scaledDotProductAttention(Tensor.zeros(DType.F32, 1, 3, 2, 4),
                Tensor.zeros(DType.F32, 1, 2, 2, 4), Tensor.zeros(DType.F32, 1, 2, 2, 4), null, false))
                .hasMessageContaining("query heads (3) must be a multiple of key/value heads (2)");
        assertThatThrownBy(() -> F.scaledDotProductAttention(Tensor.zeros(DType.F32, 1, 2, 2, 4),
                Tensor.zeros(DType.F32, 1, 2, 3, 4), Tensor.zeros(DType.F32, 1, 2, 3, 4), Tensor.ones(DType.F32, 1, 2), false))
                .hasMessageContaining("attention mask must have shape [1, 3]");
    }
}
