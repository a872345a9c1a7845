package io.rlhf4j.engine.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private static final int N = 1_000_000;

    @Test
    void sameSeedGivesTheSameNumbersAndDifferentSeedsDiffer() {
        Generator a = Generator.seed(42);
        Generator b = Generator.seed(42);
        assertThat(a.uniform(new int[] {1000}, -1, 1, DType.F32).toFloatArray())
                .containsExactly(b.uniform(new int[] {1000}, -1, 1, DType.F32).toFloatArray());
        assertThat(a.normal(new int[] {33}, 0, 1, DType.F64).toDoubleArray())
                .containsExactly(b.normal(new int[] {33}, 0, 1, DType.F64).toDoubleArray());
        assertThat(a.randint(0, 100, 50).toLongArray()).containsExactly(b.randint(0, 100, 50).toLongArray());
        assertThat(a.nextLong()).isEqualTo(b.nextLong());
        assertThat(Generator.seed(43).uniform(new int[] {8}, 0, 1, DType.F64).toDoubleArray())
                .isNotEqualTo(Generator.seed(42).uniform(new int[] {8}, 0, 1, DType.F64).toDoubleArray());
    }

    @Test
    void kernelsGiveTheSameBitsForAnySplitOfTheWork() {
        long key = 7;
        long stream = 0x1234_5678_9abcL;
        long counter = 1_000_001;
        int n = 10_001;
        double[][] uniform = new double[4][];
        double[][] normal = new double[4][];
        long[][] ints = new long[4][];
        long[][] cats = new long[4][];
        Tensor probs = Tensor.of(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.1, 0.1, 0.3}, 2, 4);
        int[] splits = {0, 1, 3, 7};
        for (int s = 0; s < splits.length; s++) {
            Tensor u = Tensor.empty(DType.F64, n);
            RandomKernels.fillUniform(u, key, stream, counter, x -> x, splits[s]);
            uniform[s] = u.toDoubleArray();
            Tensor z = Tensor.empty(DType.F32, n);
            RandomKernels.fillNormal(z, key, stream, counter, 0, 1, splits[s]);
            normal[s] = z.toDoubleArray();
            Tensor r = Tensor.empty(DType.I64, n);
            RandomKernels.fillRandint(r, key, stream, counter, -5, 11, splits[s]);
            ints[s] = r.toLongArray();
            cats[s] = Multinomial.sample(probs, false, 3, false, key, stream, counter, splits[s]).toLongArray();
        }
        for (int s = 1; s < splits.length; s++) {
            assertThat(uniform[s]).containsExactly(uniform[0]);
            assertThat(normal[s]).containsExactly(normal[0]);
            assertThat(ints[s]).containsExactly(ints[0]);
            assertThat(cats[s]).containsExactly(cats[0]);
        }
    }

    @Test
    void elementIDependsOnlyOnItsPositionInTheStream() {
        double[] whole = Generator.seed(5).uniform(new int[] {20}, 0, 1, DType.F64).toDoubleArray();
        Generator g = Generator.seed(5);
        double[] first = g.uniform(new int[] {2, 5}, 0, 1, DType.F64).toDoubleArray();
        double[] second = g.uniform(new int[] {10}, 0, 1, DType.F64).toDoubleArray();
        assertThat(first).containsExactly(Arrays.copyOfRange(whole, 0, 10));
        assertThat(second).containsExactly(Arrays.copyOfRange(whole, 10, 20));
    }

    @Test
    void uniformMomentsMatchWithinFiveStandardErrors() {
        double[] u = Generator.seed(1).uniform(new int[] {N}, 0, 1, DType.F32).toDoubleArray();
        // U(0,1): mean 1/2, variance 1/12; SE(mean) = √(1/12/N), SE(var) = √((μ₄ − σ⁴)/N), μ₄ = 1/80
        assertMoments(u, 0.5, 1.0 / 12, Math.sqrt(1.0 / 12 / N), Math.sqrt((1.0 / 80 - 1.0 / 144) / N));
        assertThat(Arrays.stream(u).min().getAsDouble()).isGreaterThanOrEqualTo(0);
        assertThat(Arrays.stream(u).max().getAsDouble()).isLessThan(1);
    }

    @Test
    void normalMomentsAndShapeMatchWithinFiveStandardErrors() {
        double mean = 2;
        double std = 3;
        double[] z = Generator.seed(2).normal(new int[] {N}, mean, std, DType.F64).toDoubleArray();
        // N(μ, σ²): SE(mean) = σ/√N, SE(var) = σ²·√(2/N)
        assertMoments(z, mean, std * std, std / Math.sqrt(N), std * std * Math.sqrt(2.0 / N));
        long within = Arrays.stream(z).filter(v -> Math.abs(v - mean) < std).count();
        double p = 0.6826894921370859; // P(|Z| < 1) = erf(1/√2)
        assertThat((double) within / N).isCloseTo(p, org.assertj.core.api.Assertions.within(
                5 * Math.sqrt(p * (1 - p) / N)));
    }

    @Test
    void bernoulliAndRandintMomentsMatch() {
        double[] b = Generator.seed(3).bernoulli(0.3, N).toDoubleArray();
        assertMoments(b, 0.3, 0.21, Math.sqrt(0.21 / N), Math.sqrt((0.21 * (1 - 3 * 0.21)) / N));
        long[] r = Generator.seed(4).randint(-3, 7, N).toLongArray();
        double[] rd = Arrays.stream(r).asDoubleStream().toArray();
        // discrete uniform on 10 values: mean 1.5, variance (10² − 1)/12
        assertMoments(rd, 1.5, 99.0 / 12, Math.sqrt(99.0 / 12 / N), 0.02);
        assertThat(Arrays.stream(r).min().getAsLong()).isEqualTo(-3);
        assertThat(Arrays.stream(r).max().getAsLong()).isEqualTo(6);
    }

    private static void assertMoments(double[] v, double mean, double var, double seMean, double seVar) {
        double m = Arrays.stream(v).sum() / v.length;
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        s /= v.length - 1;
        assertThat(m).isCloseTo(mean, org.assertj.core.api.Assertions.within(5 * seMean));
        assertThat(s).isCloseTo(var, org.assertj.core.api.Assertions.within(5 * seVar));
    }

    @Test
    void multinomialFrequenciesFollowTheWeights() {
        int n = 200_000;
        double[] p = {0.1, 0.2, 0.7, 0};
        long[] draws = Generator.seed(9).multinomial(Tensor.of(new float[] {1, 2, 7, 0}, 4), n, true).toLongArray();
        long[] fromLogits = Generator.seed(9).categorical(
                Tensor.of(new double[] {Math.log(0.1), Math.log(0.2), Math.log(0.7), Double.NEGATIVE_INFINITY}, 1, 4),
                n, true).toLongArray();
        for (long[] d : new long[][] {draws, fromLogits}) {
            int[] counts = new int[4];
            for (long x : d) {
                counts[(int) x]++;
            }
            for (int j = 0; j < 4; j++) {
                double se = Math.sqrt(p[j] * (1 - p[j]) / n);
                assertThat((double) counts[j] / n).isCloseTo(p[j], org.assertj.core.api.Assertions.within(5 * se));
            }
            assertThat(counts[3]).isZero();
        }
    }

    @Test
    void multinomialWithoutReplacementDrawsDistinctCategoriesFirstInProportion() {
        int rows = 50_000;
        Tensor probs = Tensor.of(new float[] {1, 2, 7, 0}, 1, 4).expand(rows, 4).contiguous();
        long[] d = Generator.seed(10).multinomial(probs, 3, false).toLongArray();
        int[] first = new int[4];
        for (int r = 0; r < rows; r++) {
            long a = d[3 * r];
            long b = d[3 * r + 1];
            long c = d[3 * r + 2];
            assertThat(a != b && b != c && a != c && a != 3 && b != 3 && c != 3).isTrue();
            first[(int) a]++;
        }
        assertThat((double) first[2] / rows).isCloseTo(0.7, org.assertj.core.api.Assertions.within(
                5 * Math.sqrt(0.21 / rows)));
        assertThatThrownBy(() -> Generator.seed(1).multinomial(Tensor.of(new float[] {1, 0, 0}, 3), 2, false))
                .hasMessageContaining("non-zero categories");
        assertThatThrownBy(() -> Generator.seed(1).multinomial(Tensor.of(new float[] {1, -1}, 2), 1, true))
                .hasMessageContaining("row 0");
    }

    @Test
    void restoreContinuesTheExactStream() {
        Generator g = Generator.seed(77);
        g.normal(new int[] {13}, 0, 1, DType.F32);
        GeneratorState saved = g.state();
        double[] next = g.uniform(new int[] {17}, 0, 1, DType.F64).toDoubleArray();
        long scalar = g.nextLong();
        g.uniform(new int[] {5}, 0, 1, DType.F64);
        g.restore(saved);
        assertThat(g.uniform(new int[] {17}, 0, 1, DType.F64).toDoubleArray()).containsExactly(next);
        Generator resumed = Generator.fromState(new GeneratorState(saved.key(), saved.stream(), saved.counter() + 9));
        assertThat(resumed.nextLong()).isEqualTo(scalar);
        assertThat(g.nextLong()).isEqualTo(scalar);
        assertThat(g.state()).isEqualTo(resumed.state());
    }

    @Test
    void splitAndForkGiveDistinctDeterministicStreams() {
        Generator root = Generator.seed(1);
        Generator s1 = root.split();
        Generator s2 = root.split();
        assertThat(s1.nextLong()).isNotEqualTo(s2.nextLong());
        assertThat(Generator.seed(1).split().state()).isEqualTo(Generator.seed(1).split().state());

        Generator r = Generator.seed(1);
        GeneratorState before = r.state();
        Generator dropout = r.fork("dropout");
        assertThat(r.state()).isEqualTo(before);
        assertThat(r.fork("dropout").state()).isEqualTo(dropout.state());
        assertThat(r.fork("shuffle").state().stream()).isNotEqualTo(dropout.state().stream());
        assertThat(dropout.state().stream()).isNotEqualTo(before.stream());
        assertThat(dropout.fork("a").state().stream()).isNotEqualTo(r.fork("a").state().stream());
    }

    @Test
    void randpermIsADeterministicPermutation() {
        long[] p = Generator.seed(3).randperm(1000).toLongArray();
        assertThat(Arrays.stream(p).sorted().toArray()).containsExactly(Tensor.arange(1000).toLongArray());
        assertThat(Generator.seed(3).randperm(1000).toLongArray()).containsExactly(p);
        assertThat(p).isNotEqualTo(Tensor.arange(1000).toLongArray());
        // each position holds a given value with probability 1/n: position 0 over many perms
        int hits = 0;
        Generator g = Generator.seed(4);
        for (int t = 0; t < 20_000; t++) {
            hits += g.permutation(4)[0] == 2 ? 1 : 0;
        }
        assertThat(hits / 20_000.0).isCloseTo(0.25, org.assertj.core.api.Assertions.within(
                5 * Math.sqrt(0.25 * 0.75 / 20_000)));
    }

    @Test
    void scalarDrawsAreUniform() {
        Generator g = Generator.seed(8);
        double sum = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            double d = g.nextDouble();
            assertThat(d).isGreaterThanOrEqualTo(0).isLessThan(1);
            sum += d;
        }
        assertThat(sum / n).isCloseTo(0.5, org.assertj.core.api.Assertions.within(5 * Math.sqrt(1.0 / 12 / n)));
        assertThat(g.nextLong(3)).isBetween(0L, 2L);
    }
}
