package io.rlhf4j.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static float[] exp(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += S.length()) {
            VectorMath.exp(FloatVector.fromArray(S, x, i)).intoArray(out, i);
        }
        return out;
    }

    /** Within 2 ulp of the correctly rounded e^x (Math.exp in double, rounded to float) on [−87, 88]. */
    @Test
    void expIsAccurate() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[S.length() * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < x.length / 2 ? (float) (r.nextDouble() * 175 - 87) : (float) (r.nextDouble() * 4 - 2);
        }
        float[] y = exp(x);
        for (int i = 0; i < x.length; i++) {
            float expected = (float) Math.exp(x[i]);
            assertThat(Math.abs(y[i] - expected)).as("exp(%s)", x[i]).isLessThanOrEqualTo(2 * Math.ulp(expected));
        }
    }

    @Test
    void expLimits() {
        float[] x = new float[S.length()];
        float[] special = {0f, -100f, 100f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 1f, -1f};
        for (int i = 0; i < x.length; i++) {
            x[i] = special[i % special.length];
        }
        float[] y = exp(x);
        for (int i = 0; i < x.length; i++) {
            switch (i % special.length) {
                case 0 -> assertThat(y[i]).isEqualTo(1f);
                case 1, 3 -> assertThat(y[i]).isEqualTo(0f);
                case 2, 4 -> assertThat(y[i]).isEqualTo(Float.POSITIVE_INFINITY);
                case 5 -> assertThat(y[i]).isNaN();
                case 6 -> assertThat(y[i]).isCloseTo((float) Math.E, org.assertj.core.data.Offset.offset(Math.ulp(2.7f)));
                default -> assertThat(y[i]).isCloseTo((float) (1 / Math.E),
                        org.assertj.core.data.Offset.offset(Math.ulp(0.36f)));
            }
        }
    }

    /** Lanes are added in lane order: the same bits as a sequential float sum. */
    @Test
    void sumAddsLanesInOrder() {
        float[] x = new float[S.length()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 2 == 0 ? 1e8f : 1f + i;
        }
        float expected = 0;
        for (float v : x) {
            expected += v;
        }
        assertThat(Float.floatToRawIntBits(VectorMath.sum(FloatVector.fromArray(S, x, 0))))
                .isEqualTo(Float.floatToRawIntBits(expected));
    }
}
