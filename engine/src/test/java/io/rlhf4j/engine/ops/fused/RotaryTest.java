package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static io.rlhf4j.engine.ops.fused.Fixtures.tensor;
import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** RoPE against transformers' LlamaRotaryEmbedding + apply_rotary_pos_emb, and finite differences. */
class RotaryTest {

    private final JsonNode hf = Fixtures.load("rope.json", "hf");

    @Test
    void tablesMatchHfDefaultRotaryEmbedding() {
        RotaryTables.CosSin cs = F.ropeCosSin(tensor(hf, "positions"), 8, hf.get("theta").asDouble());
        // the angles are F32 products position·inv_freq, as HF computes them
        assertClose(cs.cos(), tensor(hf, "cos"), 1e-5, 2e-6, "cos");
        assertClose(cs.sin(), tensor(hf, "sin"), 1e-5, 2e-6, "sin");
    }

    @Test
    void applyAndBackwardMatchHf() {
        Tensor x = tensor(hf, "x").requiresGrad(true);
        Tensor y = F.rotaryEmbedding(x, tensor(hf, "cos"), tensor(hf, "sin"));
        assertClose(y, tensor(hf, "y"), 1e-5, 1e-6, "y");
        y.backward(tensor(hf, "g"));
        assertClose(x.grad(), tensor(hf, "dx"), 1e-5, 1e-6, "dx");
    }

    @Test
    void gradientWithPerBatchAndSharedTables() {
        Tensor x = randomInput(11, 2, 3, 4, 6);
        RotaryTables.CosSin perBatch = F.ropeCosSin(Tensor.ofLongs(new long[] {0, 1, 2, 3, 5, 9, 11, 30}, 2, 4), 6, 100);
        Tensor cos = perBatch.cos().to(DType.F64);
        Tensor sin = perBatch.sin().to(DType.F64);
        check(t -> F.rotaryEmbedding(t[0], cos, sin), x);
        RotaryTables.CosSin shared = F.ropeCosSin(Tensor.arange(4), 6, 100);
        check(t -> F.rotaryEmbedding(t[0], shared.cos().to(DType.F64), shared.sin().to(DType.F64)), x);
    }

    @Test
    void rotatesPairsOfHalvesByPositionTimesFrequency() {
        // D = 4: pairs (0, 2) at frequency 1 and (1, 3) at 1/theta^(1/2) = 0.1 for theta = 100.
        RotaryTables.CosSin cs = F.ropeCosSin(Tensor.ofLongs(new long[] {3}, 1), 4, 100);
        Tensor x = Tensor.of(new float[] {1, 1, 0, 0}, 1, 1, 1, 4);
        float[] y = F.rotaryEmbedding(x, cs.cos(), cs.sin()).toFloatArray();
        assertThat((double) y[0]).isCloseTo(Math.cos(3), within(1e-6));
        assertThat((double) y[2]).isCloseTo(Math.sin(3), within(1e-6));
        assertThat((double) y[1]).isCloseTo(Math.cos(0.3), within(1e-6));
        assertThat((double) y[3]).isCloseTo(Math.sin(0.3), within(1e-6));
    }

    @Test
    void scalingHookChangesFrequenciesAndAmplitude() {
        RotaryTables.Scaling halve = new RotaryTables.Scaling() {
            @Override
            public float[] inverseFrequencies(float[] defaults) {
                float[] out = defaults.clone();
                for (int i = 0; i < out.length; i++) {
                    out[i] /= 2;
                }
                return out;
            }

            @Override
            public double attentionScaling() {
                return 0.5;
            }
        };
        Tensor cos = F.ropeCosSin(Tensor.ofLongs(new long[] {2}, 1), 2, 10000, halve).cos();
        assertThat(cos.get(0, 0, 0)).isCloseTo(0.5 * Math.cos(1), within(1e-6));
    }

    @Test
    void rejectsTablesThatRequireGradOrHaveTheWrongShape() {
        Tensor x = Tensor.zeros(DType.F32, 1, 2, 3, 4);
        Tensor good = Tensor.zeros(DType.F32, 1, 3, 4);
        assertThatThrownBy(() -> F.rotaryEmbedding(x, Tensor.zeros(DType.F32, 1, 3, 4).requiresGrad(true), good))
                .hasMessageContaining("constant table");
        assertThatThrownBy(() -> F.rotaryEmbedding(x, Tensor.zeros(DType.F32, 1, 4, 4), good))
                .hasMessageContaining("cos must have shape");
    }
}
