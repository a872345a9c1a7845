package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static io.rlhf4j.engine.ops.fused.Fixtures.tensor;
import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** LayerNorm against torch.nn.functional.layer_norm (fixtures) and finite differences. */
class LayerNormTest {

    @Test
    void matchesTorchWithAndWithoutAffineParameters() {
        for (String name : new String[] {"affine", "weight_only", "plain"}) {
            JsonNode c = Fixtures.load("layer_norm.json", name);
            Tensor x = tensor(c, "x").requiresGrad(true);
            Tensor w = c.has("weight") ? tensor(c, "weight").requiresGrad(true) : null;
            Tensor b = c.has("bias") ? tensor(c, "bias").requiresGrad(true) : null;
            Tensor y = F.layerNorm(x, w, b, c.get("eps").asDouble());
            assertClose(y, tensor(c, "y"), 1e-5, 1e-6, name + " y");
            y.backward(tensor(c, "g"));
            assertClose(x.grad(), tensor(c, "dx"), 1e-5, 1e-6, name + " dx");
            if (w != null) {
                assertClose(w.grad(), tensor(c, "dweight"), 1e-5, 1e-6, name + " dweight");
            }
            if (b != null) {
                assertClose(b.grad(), tensor(c, "dbias"), 1e-5, 1e-6, name + " dbias");
            }
        }
    }

    @Test
    void gradientsForEveryCombinationOfWeightAndBias() {
        Tensor x = randomInput(5, 2, 3, 6);
        Tensor w = randomInput(6, 6);
        Tensor b = randomInput(7, 6);
        check(t -> F.layerNorm(t[0], t[1], t[2], 1e-5), x, w, b);
        check(t -> F.layerNorm(t[0], t[1], null, 1e-5), x, w);
        check(t -> F.layerNorm(t[0], null, t[1], 1e-5), x, b);
        check(t -> F.layerNorm(t[0], null, null, 1e-5), x);
    }

    @Test
    void parameterGradientsSumOverManyRowBlocks() {
        Tensor x = randomInput(8, 67, 3);
        Tensor w = randomInput(9, 3);
        Tensor b = randomInput(10, 3);
        check(t -> F.layerNorm(t[0], t[1], t[2], 1e-5), x, w, b);
    }

    @Test
    void usesTheBiasedVariance() {
        // row [1, 3]: mean 2, biased variance 1 → normalised [-1, 1]
        Tensor y = F.layerNorm(Tensor.of(new float[] {1, 3}, 1, 2), null, null, 0);
        assertThat(y.toFloatArray()).containsExactly(-1, 1);
    }
}
