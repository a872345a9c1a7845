package io.rlhf4j.engine.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads optim_fixtures.json, written by engine/src/test/python/make_optim_fixtures.py. */
final class Fixtures {

    private static JsonNode root;

    private Fixtures() {
    }

    static synchronized JsonNode get(String name) {
        if (root == null) {
            try (InputStream in = Fixtures.class.getResourceAsStream("/optim/optim_fixtures.json")) {
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root.get(name);
    }

    static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    static int[] ints(JsonNode array) {
        int[] v = new int[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asInt();
        }
        return v;
    }

    static Tensor tensor(JsonNode values, JsonNode shape, DType dtype) {
        return Tensor.of(doubles(values), ints(shape)).to(dtype);
    }
}
