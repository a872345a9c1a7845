package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardModelEnsembleTest {

    @Test
    void predictGivesMeanAndSampleStdOfTheMembers() throws IOException {
        List<RewardModel> members = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            members.add(RewardModel.fromBase(RewardFixtures.MODELS.resolve("llama_gqa_llama3"), RewardConfig.mlp(),
                    Generator.seed(seed)));
        }
        members.get(0).train();
        Map<String, Tensor> ref = RewardFixtures.reference("llama_gqa_llama3");
        Tensor ids = ref.get("right.input_ids");
        Tensor mask = ref.get("right.attention_mask");
        RewardModelEnsemble ensemble = new RewardModelEnsemble(members);
        RewardModelEnsemble.Prediction p = ensemble.predict(ids, mask);
        assertThat(members.get(0).isTraining()).as("mode restored").isTrue();

        float[][] each = new float[3][];
        for (int m = 0; m < 3; m++) {
            members.get(m).eval();
            each[m] = members.get(m).rewards(ids, mask).toFloatArray();
        }
        assertThat(p.perMember().shape()).containsExactly(3, 4);
        for (int b = 0; b < 4; b++) {
            double a = each[0][b];
            double c = each[1][b];
            double d = each[2][b];
            double mean = (a + c + d) / 3;
            double var = ((a - mean) * (a - mean) + (c - mean) * (c - mean) + (d - mean) * (d - mean)) / 2;
            assertThat(p.mean().get(b)).isCloseTo(mean, within(1e-6));
            assertThat(p.std().get(b)).isCloseTo(Math.sqrt(var), within(1e-6));
            assertThat(p.std().get(b)).isGreaterThan(0);
            assertThat(p.perMember().get(1, b)).isEqualTo(c);
        }
        RewardModelEnsemble.Prediction single = new RewardModelEnsemble(List.of(members.get(1))).predict(ids, mask);
        assertThat(single.std().toFloatArray()).containsOnly(0f);
        assertThat(single.mean().toFloatArray()).containsExactly(each[1]);
    }

    @Test
    void accuracyComparesMeanRewards() throws IOException {
        RewardModel model = RewardFixtures.model("llama_gqa_llama3", Pooling.LAST_TOKEN);
        Map<String, Tensor> ref = RewardFixtures.reference("llama_gqa_llama3");
        Tensor ids = ref.get("right.input_ids");
        Tensor mask = ref.get("right.attention_mask");
        // The fixture's rewards are 0.041, 0.325, -4.86, -1.18: pairing rows (0, 1) with (2, 3) wins both,
        // the reverse loses both, (0, 3) against (1, 2) wins one.
        RewardModelEnsemble ensemble = new RewardModelEnsemble(List.of(model, model));
        Tensor first = ids.narrow(0, 0, 2).contiguous();
        Tensor second = ids.narrow(0, 2, 2).contiguous();
        Tensor firstMask = mask.narrow(0, 0, 2).contiguous();
        Tensor secondMask = mask.narrow(0, 2, 2).contiguous();
        assertThat(ensemble.accuracy(first, firstMask, second, secondMask)).isEqualTo(1.0);
        assertThat(ensemble.accuracy(second, secondMask, first, firstMask)).isEqualTo(0.0);
        Tensor r = Tensor.of(new float[] {0.04f, 0.32f, -4.86f, -1.18f}, 4);
        assertThat(RewardModelEnsemble.accuracy(r.indexSelect(0, Tensor.ofLongs(new long[] {0, 3}, 2)),
                r.indexSelect(0, Tensor.ofLongs(new long[] {1, 2}, 2)))).isEqualTo(0.5);
        assertThat(RewardModelEnsemble.accuracy(Tensor.of(new float[] {1}, 1), Tensor.of(new float[] {1}, 1)))
                .as("ties count as wrong").isZero();
        assertThatThrownBy(() -> new RewardModelEnsemble(List.of())).hasMessageContaining("at least one");
    }
}
