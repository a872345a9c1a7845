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

/** RMSNorm against transformers' LlamaRMSNorm (fixtures) and finite differences. */
class RmsNormTest {

    private static void compareWithTorch(String name, boolean withWeight, double rtol, double atol) {
        JsonNode c = Fixtures.load("rms_norm.json", name);
        Tensor x = tensor(c, "x").requiresGrad(true);
        Tensor w = withWeight ? tensor(c, "weight").requiresGrad(true) : null;
        Tensor y = F.rmsNorm(x, w, c.get("eps").asDouble());
        assertThat(y.dtype()).isEqualTo(x.dtype());
        assertClose(y, tensor(c, "y"), rtol, atol, name + " y");
        y.backward(tensor(c, "g"));
        assertClose(x.grad(), tensor(c, "dx"), rtol, atol, name + " dx");
        if (withWeight) {
            assertClose(w.grad(), tensor(c, "dweight"), rtol, atol, name + " dweight");
        }
    }

    @Test
    void matchesLlamaRmsNormInF32() {
        compareWithTorch("f32_weight", true, 1e-5, 1e-6);
        compareWithTorch("f32_no_weight", false, 1e-5, 1e-6);
    }

    @Test
    void bf16InputIsNormalisedInF32AndRoundedLikeHf() {
        // HF rounds x̂ to BF16 before the weight multiplies it; outputs agree to one BF16 step (2⁻⁸
        // relative), gradients (computed in F32, rounded once) likewise.
        compareWithTorch("bf16_weight", true, 1.0 / 128, 1e-3);
    }

    @Test
    void gradientsWithAndWithoutWeight() {
        Tensor x = randomInput(1, 3, 4, 7);
        Tensor w = randomInput(2, 7);
        check(t -> F.rmsNorm(t[0], t[1], 1e-6), x, w);
        check(t -> F.rmsNorm(t[0], null, 1e-3), x);
    }

    @Test
    void weightGradientSumsOverManyRowBlocks() {
        // 70 rows span three blocks of the deterministic parameter-gradient reduction.
        Tensor x = randomInput(3, 70, 5);
        Tensor w = randomInput(4, 5);
        check(t -> F.rmsNorm(t[0], t[1], 1e-6), x, w);
    }

    @Test
    void normalisesEachRowToUnitRootMeanSquare() {
        Tensor x = Tensor.of(new float[] {3, 4, 0, 0, 1, 1, 1, 1}, 2, 4);
        float[] y = F.rmsNorm(x, null, 0).toFloatArray();
        // row 0: rms = √(25/4) = 2.5
        assertThat(y).containsExactly(new float[] {1.2f, 1.6f, 0, 0, 1, 1, 1, 1}, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(F.rmsNorm(x.to(DType.BF16), null, 0).dtype()).isEqualTo(DType.BF16);
    }

    @Test
    void rejectsAWeightOfTheWrongLength() {
        assertThatThrownBy(() -> F.rmsNorm(Tensor.zeros(DType.F32, 2, 4), Tensor.ones(DType.F32, 5), 1e-6))
                .hasMessageContaining("rmsNorm weight must have shape [4]");
    }
}
