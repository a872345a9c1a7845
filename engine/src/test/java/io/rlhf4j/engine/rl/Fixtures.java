package io.rlhf4j.engine.rl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.DoubleUnaryOperator;

/** Reads the JSON written by engine/src/test/python/make_rl_fixtures.py, plus test helpers. */
final class Fixtures {

    private Fixtures() {
    }

    static JsonNode load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/rl/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource rl/" + name
                        + ": run engine/src/test/python/make_rl_fixtures.py");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static float[] floats(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    /** Central difference of a scalar function of x along coordinate i, in F64. */
    static double centralDifference(java.util.function.ToDoubleFunction<double[]> f, double[] x, int i) {
        double h = 1e-6;
        double[] p = x.clone();
        double[] m = x.clone();
        p[i] += h;
        m[i] -= h;
        return (f.applyAsDouble(p) - f.applyAsDouble(m)) / (2 * h);
    }

    static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]);
        }
        return out;
    }
}
