package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.policy.PolicyModel;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnsemblePolicyTest {

    private static final List<long[]> PROMPTS = List.of(new long[] {5, 9, 13, 2}, new long[] {3, 33});

    private static PolicyModel load(String name) throws IOException {
        return PolicyModel.fromPretrained(MergeFixtures.MODELS.resolve(name));
    }

    private static GenerationConfig greedy(PolicyModel p) {
        return p.generationConfig().withMaxNewTokens(8).withEosTokenIds(List.of());
    }

    private static void assertSameGeneration(GenerationResult a, GenerationResult b) {
        assertThat(a.sequences().toLongArray()).containsExactly(b.sequences().toLongArray());
        assertThat(a.attentionMask().toLongArray()).containsExactly(b.attentionMask().toLongArray());
        assertThat(a.finishReasons()).isEqualTo(b.finishReasons());
    }

    @Test
    void identicalMembersGenerateWhatTheSingleModelGenerates() throws IOException {
        PolicyModel single = load("llama_ft1");
        GenerationResult want = single.generate(PROMPTS, greedy(single));
        for (EnsemblePolicy.Mode mode : EnsemblePolicy.Mode.values()) {
            EnsemblePolicy ensemble = new EnsemblePolicy(List.of(load("llama_ft1"), load("llama_ft1")), mode);
            assertSameGeneration(ensemble.generate(PROMPTS, greedy(single)), want);
        }
    }

    @Test
    void averageModesCombineTheMembersLogits() throws IOException {
        PolicyModel a = load("llama_ft1");
        PolicyModel b = load("llama_ft2");
        Tensor ids = Tensor.ofLongs(new long[] {5, 9, 13, 2, 0, 0, 3, 33}, 2, 4);
        Tensor mask = Tensor.ofLongs(new long[] {1, 1, 1, 1, 0, 0, 1, 1}, 2, 4);
        float[] la;
        float[] lb;
        float[] pa;
        float[] pb;
        try (var _ = Grad.disabled()) {
            Tensor ta = a.forward(ids, mask).narrow(1, 3, 1).squeeze(1);
            Tensor tb = b.forward(ids, mask).narrow(1, 3, 1).squeeze(1);
            la = ta.toFloatArray();
            lb = tb.toFloatArray();
            pa = ta.logSoftmax(1).toFloatArray();
            pb = tb.logSoftmax(1).toFloatArray();
        }
        float[] logits = new EnsemblePolicy(List.of(a, b), EnsemblePolicy.Mode.AVERAGE_LOGITS).nextTokenScores(ids, mask)
                .toFloatArray();
        float[] logProbs = new EnsemblePolicy(List.of(a, b), EnsemblePolicy.Mode.AVERAGE_LOG_PROBS)
                .nextTokenScores(ids, mask).toFloatArray();
        for (int j = 0; j < la.length; j++) {
            assertThat(logits[j]).isCloseTo((la[j] + lb[j]) / 2, within(1e-5f));
            assertThat(logProbs[j]).isCloseTo((pa[j] + pb[j]) / 2, within(1e-5f));
        }
        assertThat(la).isNotEqualTo(lb);
    }

    @Test
    void votingFollowsTheMajority() throws IOException {
        PolicyModel ft1 = load("llama_ft1");
        GenerationResult want = ft1.generate(PROMPTS, greedy(ft1));
        EnsemblePolicy ensemble = new EnsemblePolicy(List.of(load("llama_ft2"), load("llama_ft1"), load("llama_ft1")),
                EnsemblePolicy.Mode.VOTING);
        assertSameGeneration(ensemble.generate(PROMPTS, greedy(ft1)), want);
        GenerationResult other = load("llama_ft2").generate(PROMPTS, greedy(ft1));
        assertThat(other.sequences().toLongArray()).as("the minority member alone generates something else")
                .isNotEqualTo(want.sequences().toLongArray());
    }

    @Test
    void votingTiesGoToTheHigherMeanLogProbability() throws IOException {
        PolicyModel a = load("llama_ft1");
        PolicyModel b = load("llama_base");
        Tensor ids = Tensor.ofLongs(new long[] {5, 9, 13, 2}, 1, 4);
        double[] mean;
        long ta;
        long tb;
        try (var _ = Grad.disabled()) {
            Tensor la = a.forward(ids, null).narrow(1, 3, 1).squeeze(1);
            Tensor lb = b.forward(ids, null).narrow(1, 3, 1).squeeze(1);
            ta = la.argmax(1, false).toLongArray()[0];
            tb = lb.argmax(1, false).toLongArray()[0];
            double[] pa = la.logSoftmax(1).toDoubleArray();
            double[] pb = lb.logSoftmax(1).toDoubleArray();
            mean = new double[pa.length];
            for (int v = 0; v < pa.length; v++) {
                mean[v] = (pa[v] + pb[v]) / 2;
            }
        }
        assertThat(ta).as("the two members disagree").isNotEqualTo(tb);
        long winner = mean[(int) ta] > mean[(int) tb] ? ta : tb;
        float[] scores = new EnsemblePolicy(List.of(a, b), EnsemblePolicy.Mode.VOTING).nextTokenScores(ids, null)
                .toFloatArray();
        for (int v = 0; v < scores.length; v++) {
            assertThat(scores[v]).isEqualTo(v == winner ? 0f : Float.NEGATIVE_INFINITY);
        }
    }

    @Test
    void sampledGenerationIsReproducibleBySeedAndRestoresTrainingMode() throws IOException {
        PolicyModel a = load("llama_ft1");
        PolicyModel b = load("llama_ft2");
        a.module().train();
        GenerationConfig sample = greedy(a).withDoSample(true).withTemperature(0.8).withSeed(3);
        for (EnsemblePolicy.Mode mode : EnsemblePolicy.Mode.values()) {
            EnsemblePolicy e = new EnsemblePolicy(List.of(a, b), mode);
            GenerationResult first = e.generate(PROMPTS, sample);
            assertSameGeneration(e.generate(PROMPTS, sample), first);
            assertThat(first.newColumns()).isEqualTo(8);
        }
        assertThat(a.module().isTraining()).isTrue();
        assertThat(b.module().isTraining()).isFalse();
    }
}
