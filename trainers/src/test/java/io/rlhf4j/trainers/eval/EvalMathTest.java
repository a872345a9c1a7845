package io.rlhf4j.trainers.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluator's formulas on hand-made inputs: exact KL, k1/k3, distinct-n, edit distance, Wilson interval. */
class EvalMathTest {

    private static float[] logs(double shift, double... probs) {
        float[] out = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            out[i] = (float) (Math.log(probs[i]) + shift);
        }
        return out;
    }

    @Test
    void exactKlOfTwoExplicitDistributionsMatchesTheHandFormula() {
        // KL(p||q) = 0.5 ln(0.5/0.25) + 0.3 ln(0.3/0.25) + 0.2 ln(0.2/0.5)
        double expected = 0.5 * Math.log(2) + 0.3 * Math.log(1.2) + 0.2 * Math.log(0.4);
        float[] p = logs(3.0, 0.5, 0.3, 0.2);
        float[] q = logs(-1.5, 0.25, 0.25, 0.5);
        assertThat(ExactKl.row(p, 0, q, 0, 3)).isCloseTo(expected, within(1e-6));
        // The reverse direction differs: KL is not symmetric.
        double reverse = 0.25 * Math.log(0.25 / 0.5) + 0.25 * Math.log(0.25 / 0.3) + 0.5 * Math.log(0.5 / 0.2);
        assertThat(ExactKl.row(q, 0, p, 0, 3)).isCloseTo(reverse, within(1e-6));
        assertThat(ExactKl.row(p, 0, p, 0, 3)).isZero();
    }

    @Test
    void exactKlReadsTheRowAtItsOffset() {
        float[] p = new float[6];
        float[] q = new float[6];
        System.arraycopy(logs(0, 0.5, 0.3, 0.2), 0, p, 3, 3);
        System.arraycopy(logs(0, 0.25, 0.25, 0.5), 0, q, 3, 3);
        double expected = 0.5 * Math.log(2) + 0.3 * Math.log(1.2) + 0.2 * Math.log(0.4);
        assertThat(ExactKl.row(p, 3, q, 3, 3)).isCloseTo(expected, within(1e-6));
    }

    @Test
    void accumulatorAveragesExactKlAndSampledEstimatorsOverTokensAndSequences() {
        double[][] pp = {{0.5, 0.3, 0.2}, {0.1, 0.6, 0.3}, {0.7, 0.2, 0.1}};
        double[][] qq = {{0.25, 0.25, 0.5}, {0.2, 0.2, 0.6}, {0.7, 0.2, 0.1}};
        float[] p = new float[9];
        float[] q = new float[9];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(logs(r, pp[r]), 0, p, 3 * r, 3);
            System.arraycopy(logs(-r, qq[r]), 0, q, 3 * r, 3);
        }
        KlAccumulator acc = new KlAccumulator();
        acc.addSequence(p, q, 3, new int[] {0, 1}, new long[] {2, 1});
        acc.addSequence(p, q, 3, new int[] {2}, new long[] {0});
        long[] tokens = {2, 1, 0};
        double exact = 0;
        double k1 = 0;
        double k3 = 0;
        for (int r = 0; r < 3; r++) {
            for (int v = 0; v < 3; v++) {
                exact += pp[r][v] * Math.log(pp[r][v] / qq[r][v]);
            }
            double ratio = qq[r][(int) tokens[r]] / pp[r][(int) tokens[r]];
            k1 += -Math.log(ratio);
            k3 += ratio - 1 - Math.log(ratio);
        }
        var m = acc.metrics();
        assertThat(acc.tokens()).isEqualTo(3);
        assertThat(m.get("kl")).isCloseTo(exact / 3, within(1e-6));
        assertThat(m.get("kl_exact_token_mean")).isCloseTo(exact / 3, within(1e-6));
        assertThat(m.get("kl_exact_seq_mean")).isCloseTo(exact / 2, within(1e-6));
        assertThat(m.get("kl_k1_token_mean")).isCloseTo(k1 / 3, within(1e-6));
        assertThat(m.get("kl_k1_seq_mean")).isCloseTo(k1 / 2, within(1e-6));
        assertThat(m.get("kl_k3_token_mean")).isCloseTo(k3 / 3, within(1e-6));
        assertThat(m.get("kl_k3_seq_mean")).isCloseTo(k3 / 2, within(1e-6));
    }

    @Test
    void accumulatorRejectsATokenOutsideTheVocabulary() {
        KlAccumulator acc = new KlAccumulator();
        assertThatThrownBy(() -> acc.addSequence(new float[3], new float[3], 3, new int[] {0}, new long[] {3}))
                .hasMessageContaining("token id 3");
    }

    @Test
    void distinctNCountsUniqueOverTotalNGramsOfAllCompletions() {
        List<long[]> c = List.of(new long[] {1, 2, 3}, new long[] {1, 2, 4}, new long[] {5});
        // unigrams 1 2 3 1 2 4 5: 5 unique of 7; bigrams (1,2) (2,3) (1,2) (2,4): 3 unique of 4
        assertThat(Diversity.distinctN(c, 1)).isEqualTo(5.0 / 7);
        assertThat(Diversity.distinctN(c, 2)).isEqualTo(3.0 / 4);
        assertThat(Diversity.distinctN(List.of(new long[] {7}), 2)).isZero();
        assertThat(Diversity.meanLength(c)).isEqualTo(7.0 / 3);
    }

    @Test
    void editDistanceRatioOnHandWrittenTokenLists() {
        assertThat(Diversity.editDistance(new long[] {1, 2, 3}, new long[] {1, 3})).isEqualTo(1);
        // kitten -> sitting: 3 edits
        long[] kitten = {'k', 'i', 't', 't', 'e', 'n'};
        long[] sitting = {'s', 'i', 't', 't', 'i', 'n', 'g'};
        assertThat(Diversity.editDistance(kitten, sitting)).isEqualTo(3);
        assertThat(Diversity.editRatio(kitten, sitting)).isEqualTo(3.0 / 7);
        assertThat(Diversity.editRatio(new long[0], new long[0])).isZero();
        // prompt 0: pairs (a,a) 0, (a,b) 1, (a,b) 1 -> 2/3; prompt 1 has one sample (skipped); prompt 2: 1
        long[] a = {1, 2, 3};
        long[] b = {4, 5};
        List<List<long[]>> groups = List.of(List.of(a, a, b), List.of(a), List.of(new long[] {1}, new long[] {2}));
        assertThat(Diversity.meanPairwiseEditRatio(groups)).isCloseTo((2.0 / 3 + 1) / 2, within(1e-15));
    }

    @Test
    void wilsonIntervalMatchesKnownValues() {
        WinRate w = WinRate.ofCount(7, 10);
        assertThat(w.rate()).isEqualTo(0.7);
        assertThat(w.low()).isCloseTo(0.397, within(5e-4));
        assertThat(w.high()).isCloseTo(0.892, within(5e-4));
        // 0 of 10: [0, z^2/(n+z^2)] = [0, 0.2775]
        WinRate none = WinRate.ofCount(0, 10);
        assertThat(none.low()).isZero();
        assertThat(none.high()).isCloseTo(0.2775, within(5e-4));
    }

    @Test
    void winRateCountsTiesAsHalf() {
        WinRate w = WinRate.of(new double[] {3, 1, 2, 5}, new double[] {1, 2, 2, 5});
        assertThat(w.rate()).isEqualTo((1 + 0 + 0.5 + 0.5) / 4);
        assertThat(w.n()).isEqualTo(4);
        double[] same = {0.1, -2, 7};
        assertThat(WinRate.of(same, same).rate()).isEqualTo(0.5);
        assertThatThrownBy(() -> WinRate.of(new double[2], new double[3])).hasMessageContaining("2 and 3");
    }

    @Test
    void gatesPassWithinTheirBoundAndFailOutsideOrWhenMissing() {
        var metrics = Map.of("kl", 0.2, "win_rate", 0.6);
        var thresholds = new LinkedHashMap<String, Double>();
        thresholds.put("kl_max", 0.1);
        thresholds.put("win_rate_min", 0.5);
        thresholds.put("reward_accuracy_min", 0.5);
        EvalResult r = new EvalResult(metrics, EvalResult.check(thresholds, metrics));
        assertThat(r.gates()).extracting(Gate::passed).containsExactly(false, true, false);
        assertThat(r.gates().get(2).value()).isNaN();
        assertThat(r.passed()).isFalse();
        assertThat(r.toFlatMap()).containsEntry("gate/kl_max", false).containsEntry("gate/win_rate_min", true)
                .containsEntry("passed", false);
        assertThat(Gate.check("kl_max", 0.2, 0.2).passed()).isTrue();
        assertThat(new EvalResult(metrics, List.of()).passed()).isTrue();
        assertThatThrownBy(() -> Gate.Bound.parse("kl_limit")).hasMessageContaining("'kl_limit'");
        assertThatThrownBy(() -> Gate.Bound.parse("klx_max")).hasMessageContaining("unknown metric 'klx'");
    }
}
