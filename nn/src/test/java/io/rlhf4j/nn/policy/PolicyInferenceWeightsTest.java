package io.rlhf4j.nn.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.generation.GenerationFixtures;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@link PolicyModel#prepareForInference} on the tied SmolLM fixture: BF16 weights move the
 * logits of a decode-sized forward by BF16 rounding only, and F32 restores them bit for bit.
 */
class PolicyInferenceWeightsTest {

    private static float[] logits(PolicyModel policy, int tokens) {
        long[] ids = new long[tokens];
        for (int t = 0; t < tokens; t++) {
            ids[t] = 3 + 7L * t;
        }
        try (var _ = Grad.disabled()) {
            return policy.forward(Tensor.ofLongs(ids, 1, tokens), Tensor.ones(DType.I64, 1, tokens)).toFloatArray();
        }
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /**
     * Tolerance: every weight moves by at most 2⁻⁹ of itself (round to nearest BF16); through the
     * layers that compounds to a few times that, so the logits must stay within 2⁻⁶ of their
     * largest magnitude, while a wrong kernel (a lane or row off) moves them by order 1.
     */
    @Test
    void bf16WeightsChangeDecodeLogitsByRoundingOnly() throws IOException {
        PolicyModel policy = PolicyModel.fromPretrained(GenerationFixtures.model("smollm_tied"));
        float[] exact = logits(policy, 1);
        float[] longExact = logits(policy, 12);
        policy.prepareForInference(DType.BF16);
        float[] bf16 = logits(policy, 1);

        float worst = 0;
        for (int i = 0; i < exact.length; i++) {
            worst = Math.max(worst, Math.abs(bf16[i] - exact[i]));
        }
        assertThat(worst).isGreaterThan(0f).isLessThanOrEqualTo(0x1p-6f * maxAbs(exact));
        assertThat(logits(policy, 12)).as("more rows than a decode step: F32 weights").containsExactly(longExact);

        policy.prepareForInference(DType.F32);
        assertThat(logits(policy, 1)).containsExactly(exact);
    }
}
