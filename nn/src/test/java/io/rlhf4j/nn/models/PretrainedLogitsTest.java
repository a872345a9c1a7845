package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each fixture model loaded from its Hugging Face files gives transformers' logits: max |Δ| ≤
 * 1e-4 at every non-pad position, for a plain batch and a left-padded batch (position ids and
 * masks as HF generate builds them). BF16 files are compared with references computed by
 * transformers in F32 from the same BF16 weights, so the tolerance is the same: BF16 → F32 is exact
 * on both sides and only F32 summation order differs.
 */
class PretrainedLogitsTest {

    static final double TOLERANCE = 1e-4;

    static String[] names() {
        return Fixtures.NAMES;
    }

    @ParameterizedTest
    @MethodSource("names")
    void logitsMatchTransformers(String name) throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        Map<String, Tensor> ref = Fixtures.reference(name);
        for (String c : new String[] {"plain", "padded"}) {
            try (var _ = Memory.scope(); var _ = Grad.disabled()) {
                Tensor mask = ref.get(c + ".attention_mask");
                Tensor logits = model.forward(ref.get(c + ".input_ids"), mask, null);
                Tensor expected = ref.get(c + ".logits");
                assertThat(logits.shape()).containsExactly(expected.shape());
                double delta = Fixtures.maxDeltaAtTokens(logits, expected, mask);
                System.out.printf("%s %s: max |logits - transformers| = %.3e%n", name, c, delta);
                assertThat(delta).as("%s %s", name, c).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void explicitPositionIdsEqualDerivedOnes(String name) throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        Map<String, Tensor> ref = Fixtures.reference(name);
        try (var _ = Memory.scope(); var _ = Grad.disabled()) {
            Tensor mask = ref.get("padded.attention_mask");
            Tensor ids = ref.get("padded.input_ids");
            assertThat(PositionIds.fromAttentionMask(mask).toLongArray())
                    .containsExactly(ref.get("padded.position_ids").toLongArray());
            Tensor derived = model.forward(ids, mask, null);
            Tensor explicit = model.forward(ids, mask, ref.get("padded.position_ids"));
            assertThat(explicit.toFloatArray()).containsExactly(derived.toFloatArray());
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void parameterCountMatchesTransformers(String name) throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(Fixtures.MODELS.resolve("manifest.json").toFile());
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        assertThat(model.module().parameterCount()).isEqualTo(manifest.get(name).get("parameters").asLong());
    }
}
