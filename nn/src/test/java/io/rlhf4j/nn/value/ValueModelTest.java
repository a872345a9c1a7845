package io.rlhf4j.nn.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.nn.reward.RewardConfig;
import io.rlhf4j.nn.reward.RewardModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ValueModel against TRL's value path (transformers' LlamaForSequenceClassification read at every
 * position by trl's get_reward; fixture from src/test/python/make_value_fixtures.py), the shared
 * head against the policy's own hidden states, and save/load round trips.
 */
class ValueModelTest {

    private static final Path SEQCLS = Path.of("src/test/resources/reward/llama_seqcls");
    private static final Path LLAMA = Path.of("src/test/resources/models/llama_gqa_llama3");

    @TempDir
    Path tmp;

    private static Tensor mask(Tensor ids) {
        long[] x = ids.toLongArray();
        long[] m = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            m[i] = x[i] != 0 ? 1 : 0;
        }
        return Tensor.ofLongs(m, ids.shape());
    }

    @Test
    void separateValuesMatchTrlsGetRewardAtEveryToken() throws IOException {
        Map<String, Tensor> f = Safetensors.load(SEQCLS.resolve("values.safetensors"));
        Tensor ids = f.get("input_ids");
        Tensor m = mask(ids);
        ValueModel v = ValueModel.fromPretrained(SEQCLS, Generator.seed(1));
        assertThat(v.sharesBackbone()).isFalse();
        float[] actual;
        try (var _ = Grad.disabled()) {
            actual = v.values(ids, m).toFloatArray();
        }
        float[] expected = f.get("values").toFloatArray();
        long[] mk = m.toLongArray();
        int compared = 0;
        for (int i = 0; i < expected.length; i++) {
            if (mk[i] != 0) {
                assertThat(actual[i]).as("value %d", i).isCloseTo(expected[i], within(2e-5f));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(18);
    }

    @Test
    void lastTokenValueIsTheRewardModelsScore() throws IOException {
        Map<String, Tensor> f = Safetensors.load(SEQCLS.resolve("values.safetensors"));
        Tensor ids = f.get("input_ids").narrow(0, 0, 2).contiguous();
        Tensor m = mask(ids);
        RewardModel rm = RewardModel.fromPretrained(SEQCLS);
        try (var _ = Grad.disabled()) {
            float[] values = ValueModel.separate(rm).values(ids, m).toFloatArray();
            float[] rewards = rm.rewards(ids, m).toFloatArray();
            assertThat(values[7]).isCloseTo(rewards[0], within(1e-6f));
            assertThat(values[15]).isCloseTo(rewards[1], within(1e-6f));
        }
    }

    @Test
    void aBackboneCheckpointGetsANewScoreHeadAndSavesAsARewardModel() throws IOException {
        ValueModel v = ValueModel.fromPretrained(LLAMA, Generator.seed(2));
        Tensor ids = Tensor.ofLongs(new long[] {5, 9, 3, 7}, 1, 4);
        Tensor m = Tensor.ofLongs(new long[] {1, 1, 1, 1}, 1, 4);
        v.savePretrained(tmp.resolve("v"));
        ValueModel back = ValueModel.fromPretrained(tmp.resolve("v"), Generator.seed(99));
        try (var _ = Grad.disabled()) {
            assertThat(back.values(ids, m).toFloatArray()).containsExactly(v.values(ids, m).toFloatArray());
        }
        assertThat(v.separateModel().rewardConfig()).isEqualTo(RewardConfig.score());
    }

    @Test
    void sharedHeadReadsThePolicysHiddenStatesAndTrainsTheBackbone() throws IOException {
        PreTrainedCausalLM policy = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(LLAMA);
        ValueModel v = ValueModel.shared(policy, Generator.seed(3));
        assertThat(v.sharesBackbone()).isTrue();
        assertThat(v.stateDict()).containsOnlyKeys("score.weight");
        Tensor ids = Tensor.ofLongs(new long[] {0, 5, 9, 3, 4, 7, 2, 8}, 2, 4);
        Tensor m = Tensor.ofLongs(new long[] {0, 1, 1, 1, 1, 1, 1, 1}, 2, 4);
        Tensor values = v.values(ids, m);
        assertThat(values.shape()).containsExactly(2, 4);
        // Independent formula: score.weight · h_t for each token's hidden state.
        float[] w = v.stateDict().get("score.weight").toFloatArray();
        float[] h;
        try (var _ = Grad.disabled()) {
            h = policy.lastHiddenState(ids, m, null).toFloatArray();
        }
        float[] got = values.toFloatArray();
        for (int t = 1; t < 8; t++) {
            double dot = 0;
            for (int k = 0; k < w.length; k++) {
                dot += w[k] * h[t * w.length + k];
            }
            assertThat(got[t]).as("value %d", t).isCloseTo((float) dot, within(1e-5f));
        }
        values.mul(Tensor.of(new float[] {0, 1, 1, 1, 1, 1, 1, 1}, 2, 4)).sum().backward();
        assertThat(policy.namedParameters().get("model.norm.weight").tensor().grad()).isNotNull();

        v.savePretrained(tmp.resolve("shared"));
        ValueModel back = ValueModel.loadShared(tmp.resolve("shared"), policy);
        assertThat(back.stateDict().get("score.weight").toFloatArray()).containsExactly(w);
        assertThatThrownBy(() -> ValueModel.separate(RewardModel.create(policy.config(), RewardConfig.mlp(),
                DType.F32))).hasMessageContaining("score head");
    }
}
