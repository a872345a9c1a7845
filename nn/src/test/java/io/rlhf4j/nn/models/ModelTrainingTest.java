package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.Parameter;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Backward through whole models, train-mode dropout, and features refused rather than approximated. */
class ModelTrainingTest {

    private static double loss(CausalLM model, Tensor ids, Tensor mask) {
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            return lossTensor(model, ids, mask).item();
        }
    }

    /** Next-token cross-entropy over the padded batch (pads as targets are ignored). */
    private static Tensor lossTensor(CausalLM model, Tensor ids, Tensor mask) {
        Tensor logits = model.forward(ids, mask, null);
        int b = ids.shape(0);
        int t = ids.shape(1);
        long[] id = ids.toLongArray();
        long[] m = mask.toLongArray();
        long[] targets = new long[b * (t - 1)];
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t - 1; s++) {
                targets[r * (t - 1) + s] = m[r * t + s + 1] == 0 ? F.IGNORE_INDEX : id[r * t + s + 1];
            }
        }
        Tensor shifted = logits.narrow(1, 0, t - 1).reshape(b * (t - 1), logits.shape(2));
        return F.crossEntropy(shifted, Tensor.ofLongs(targets, b * (t - 1)));
    }

    /**
     * Analytic gradients of the loss agree with central differences (F32 forward, step 1e-2) on
     * sampled entries of every parameter; for the tied model, embed_tokens' gradient includes the
     * lm_head contribution.
     */
    @ParameterizedTest
    @ValueSource(strings = {"smollm_tied", "qwen3", "gpt2"})
    void parameterGradientsMatchFiniteDifferences(String name) throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir(name));
        Map<String, Tensor> ref = Fixtures.reference(name);
        Tensor ids = ref.get("padded.input_ids");
        Tensor mask = ref.get("padded.attention_mask");
        try (var _ = Memory.scope()) {
            lossTensor(model, ids, mask).backward();
        }
        int checked = 0;
        for (Map.Entry<String, Parameter> e : model.module().namedParameters().entrySet()) {
            Tensor w = e.getValue().tensor();
            assertThat(w.grad()).as(e.getKey()).isNotNull();
            float[] grad = w.grad().toFloatArray();
            int worst = argMaxAbs(grad);
            Tensor flat = w.detach().reshape(Math.toIntExact(w.numel()));
            double original = flat.get(worst);
            double h = 1e-2;
            flat.set(original + h, worst);
            double up = loss(model, ids, mask);
            flat.set(original - h, worst);
            double down = loss(model, ids, mask);
            flat.set(original, worst);
            double numeric = (up - down) / (2 * h);
            assertThat(grad[worst]).as("%s[%d]", e.getKey(), worst)
                    .isCloseTo((float) numeric, org.assertj.core.data.Offset.offset((float) (2e-2 * Math.abs(numeric) + 1e-4)));
            checked++;
        }
        assertThat(checked).isEqualTo(model.module().namedParameters().size());
    }

    private static int argMaxAbs(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[best])) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void dropoutChangesGpt2LogitsOnlyInTraining() throws IOException {
        CausalLM model = AutoModelForCausalLM.fromPretrained(Fixtures.dir("gpt2"));
        Map<String, Tensor> ref = Fixtures.reference("gpt2");
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            Tensor ids = ref.get("plain.input_ids");
            float[] eval = model.forward(ids, null, null).toFloatArray();
            assertThat(model.forward(ids, null, null).toFloatArray()).containsExactly(eval);
            model.module().train();
            assertThat(model.forward(ids, null, null).toFloatArray()).isNotEqualTo(eval);
            model.module().eval();
            assertThat(model.forward(ids, null, null).toFloatArray()).containsExactly(eval);
        }
    }

    @Test
    void sequencesLongerThanTheSlidingWindowAreRefused() throws IOException {
        ObjectNode raw = (ObjectNode) new ObjectMapper().readTree(Fixtures.dir("mistral").resolve("config.json").toFile());
        raw.put("sliding_window", 4);
        CausalLM model = AutoModelForCausalLM.fromConfig(ModelConfig.parse(raw, "mistral"), DType.F32);
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            assertThat(model.forward(Tensor.ofLongs(new long[] {1, 2, 3, 4}, 1, 4), null, null).shape())
                    .containsExactly(1, 4, 130);
            assertThatThrownBy(() -> model.forward(Tensor.ofLongs(new long[] {1, 2, 3, 4, 5}, 1, 5), null, null))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("sliding_window 4");
        }
    }
}
