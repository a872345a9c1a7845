package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fixtures of merging/src/test/python/make_merge_fixtures.py. */
final class MergeFixtures {

    static final Path RESOURCES = Path.of("src/test/resources");
    static final Path MODELS = RESOURCES.resolve("models");
    static final List<String> PARAMS = List.of("a", "b", "c", "colinear");
    /** make_merge_fixtures.py's WEIGHTS. */
    static final double[] WEIGHTS = {0.7, 0.5, -0.3};

    private static Map<String, Tensor> utils;

    private MergeFixtures() {
    }

    static synchronized Map<String, Tensor> utils() {
        if (utils == null) {
            try {
                utils = Safetensors.load(RESOURCES.resolve("merge_utils.safetensors"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return utils;
    }

    /** The state dict stored under {@code prefix.<param>}. */
    static Map<String, Tensor> state(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String p : PARAMS) {
            out.put(p, utils().get(prefix + "." + p));
        }
        return out;
    }

    static Map<String, Tensor> base() {
        return state("base");
    }

    static List<Map<String, Tensor>> models() {
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(state("model" + i));
        }
        return out;
    }

    static float[] get(String name) {
        return utils().get(name).toFloatArray();
    }
}
