package io.rlhf4j.engine.ops.fused;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads the torch reference fixtures written by engine/src/test/python/make_fused_fixtures.py
 * and compares tensors with a stated tolerance.
 */
final class Fixtures {

    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {
    }

    /** The case {@code name} of fixture file {@code file} (under resources/fused/). */
    static JsonNode load(String file, String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fused/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture /fused/" + file + "; run make_fused_fixtures.py");
            }
            JsonNode node = JSON.readTree(in).get(name);
            if (node == null) {
                throw new IllegalStateException("fixture " + file + " has no case " + name);
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensor stored under {@code key}, in its stored dtype (BF16 values are exact). */
    static Tensor tensor(JsonNode c, String key) {
        JsonNode node = c.get(key);
        if (node == null) {
            throw new IllegalStateException("fixture entry " + key + " is missing");
        }
        int[] shape = new int[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get("shape").get(i).asInt();
        }
        JsonNode data = node.get("data");
        String dtype = node.get("dtype").asText();
        if (dtype.equals("I64")) {
            long[] v = new long[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i).asLong();
            }
            return Tensor.ofLongs(v, shape);
        }
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) data.get(i).asDouble();
        }
        Tensor t = Tensor.of(v, shape);
        return dtype.equals("BF16") ? t.to(DType.BF16) : t;
    }

    /**
     * Asserts |actual − expected| ≤ rtol·|expected| + atol·max|expected| elementwise, so the
     * absolute floor scales with the tensor's magnitude.
     */
    static void assertClose(Tensor actual, Tensor expected, double rtol, double atol, String what) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected "
                    + Arrays.toString(expected.shape()));
        }
        double[] a = actual.to(DType.F64).toDoubleArray();
        double[] e = expected.to(DType.F64).toDoubleArray();
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            double tol = rtol * Math.abs(e[i]) + atol * scale;
            if (!(Math.abs(a[i] - e[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", torch gives " + e[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }
}
