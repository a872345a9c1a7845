package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSoupTest {

    private static Map<String, Tensor> scalar(float x) {
        return Map.of("w", Tensor.of(new float[] {x}, 1));
    }

    @Test
    void uniformAndWeightedSoupsAverage() {
        List<Map<String, Tensor>> models = MergeFixtures.models();
        Map<String, Tensor> uniform = ModelSoup.uniform(models);
        Map<String, Tensor> weighted = ModelSoup.weighted(models, new double[] {2, 1, 1});
        for (String p : MergeFixtures.PARAMS) {
            float[] m0 = MergeFixtures.get("model0." + p);
            float[] m1 = MergeFixtures.get("model1." + p);
            float[] m2 = MergeFixtures.get("model2." + p);
            float[] u = uniform.get(p).toFloatArray();
            float[] w = weighted.get(p).toFloatArray();
            for (int j = 0; j < u.length; j++) {
                assertThat(u[j]).isCloseTo((m0[j] + m1[j] + m2[j]) / 3, within(1e-6f));
                assertThat(w[j]).isCloseTo(0.5f * m0[j] + 0.25f * m1[j] + 0.25f * m2[j], within(1e-6f));
            }
        }
        assertThatThrownBy(() -> ModelSoup.weighted(models, new double[] {1, -1, 0})).hasMessageContaining("non-zero sum");
    }

    @Test
    void greedySoupAddsOnlyModelsThatImproveTheScore() {
        // score: closeness of w to 2. Individually c0 = 1 and c1 = 3 tie (−1), c2 = −5 is worst;
        // soup {c0, c1} = 2 scores 0 (kept); adding c2 gives −1/3 (rejected).
        List<Map<String, Tensor>> candidates = List.of(scalar(1), scalar(3), scalar(-5));
        List<Double> seen = new ArrayList<>();
        ModelSoup.GreedyResult r = ModelSoup.greedy(candidates, s -> {
            double w = s.get("w").item();
            seen.add(w);
            return -(w - 2) * (w - 2);
        });
        assertThat(r.chosen()).containsExactly(0, 1);
        assertThat(r.score()).isEqualTo(0.0);
        assertThat(r.soup().get("w").item()).isEqualTo(2.0);
        assertThat(r.individual()).containsExactly(-1, -1, -49);
        assertThat(seen).hasSize(5);
        assertThat(seen.get(4)).isCloseTo(-1.0 / 3, within(1e-6));
    }

    @Test
    void greedySoupStartsFromTheBestCandidate() {
        ModelSoup.GreedyResult r = ModelSoup.greedy(List.of(scalar(0), scalar(2.5f), scalar(10)),
                s -> -Math.abs(s.get("w").item() - 2));
        assertThat(r.chosen()).containsExactly(1);
        assertThat(r.score()).isEqualTo(-0.5);
    }
}
