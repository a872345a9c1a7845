package io.rlhf4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rejection rule emits tokens distributed exactly as p, checked by enumerating the draft token. */
class SpeculativeSamplingTest {

    /** Σ_x q(x) · emitted(p, q, x) = p, computed exactly over a 5-token vocabulary. */
    @Test
    void emittedTokenIsDistributedAsTheTarget() {
        Random random = new Random(11);
        double[][][] cases = {
            {{0.1, 0.2, 0.3, 0.4, 0.0}, {0.4, 0.3, 0.2, 0.1, 0.0}},
            {{0.5, 0.5, 0, 0, 0}, {0, 0, 0.5, 0.25, 0.25}},
            {{0.2, 0.2, 0.2, 0.2, 0.2}, {0.2, 0.2, 0.2, 0.2, 0.2}},
            {{1, 0, 0, 0, 0}, {0.9, 0.1, 0, 0, 0}},
            {random(random), random(random)},
            {random(random), random(random)},
        };
        for (double[][] c : cases) {
            double[] p = c[0];
            double[] q = c[1];
            double[] total = new double[p.length];
            for (int x = 0; x < q.length; x++) {
                if (q[x] == 0) {
                    continue;
                }
                double[] e = SpeculativeSampling.emitted(p, q, x);
                for (int v = 0; v < p.length; v++) {
                    total[v] += q[x] * e[v];
                }
            }
            for (int v = 0; v < p.length; v++) {
                assertThat(total[v]).as("token %d", v).isCloseTo(p[v], within(1e-12));
            }
        }
    }

    @Test
    void acceptanceResidualAndInverseCdf() {
        double[] p = {0.1, 0.6, 0.3};
        double[] q = {0.5, 0.25, 0.25};
        assertThat(SpeculativeSampling.acceptance(p, q, 0)).isCloseTo(0.2, within(1e-15));
        assertThat(SpeculativeSampling.acceptance(p, q, 1)).isEqualTo(1.0);
        // max(0, p − q) = (0, 0.35, 0.05), normalised by 0.4.
        assertThat(SpeculativeSampling.residual(p, q)).containsExactly(new double[] {0, 0.875, 0.125},
                within(1e-12));
        assertThat(SpeculativeSampling.sample(p, 0.0)).isZero();
        assertThat(SpeculativeSampling.sample(p, 0.09)).isZero();
        assertThat(SpeculativeSampling.sample(p, 0.11)).isEqualTo(1);
        assertThat(SpeculativeSampling.sample(p, 0.71)).isEqualTo(2);
        assertThat(SpeculativeSampling.sample(new double[] {0.5, 0.5, 0}, 0.9999999999999999)).isEqualTo(1);
        assertThat(SpeculativeSampling.argmax(new float[] {1, 3, 3, 2})).isEqualTo(1);
    }

    private static double[] random(Random random) {
        double[] d = new double[5];
        double sum = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextDouble();
            sum += d[i];
        }
        for (int i = 0; i < d.length; i++) {
            d[i] /= sum;
        }
        return d;
    }
}
