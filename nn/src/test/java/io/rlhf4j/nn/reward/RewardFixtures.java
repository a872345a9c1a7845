package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The references written by src/test/python/make_reward_fixtures.py. */
final class RewardFixtures {

    static final Path MODELS = Path.of("src/test/resources/models");
    static final Path REWARD = Path.of("src/test/resources/reward");
    /** The script's label smoothing, L2 and centring coefficients. */
    static final double SMOOTHING = 0.1;
    static final double L2 = 1e-3;
    static final double CENTER = 0.05;

    private RewardFixtures() {
    }

    static Map<String, Tensor> reference(String name) {
        try {
            return Safetensors.load(REWARD.resolve(name).resolve("reference.safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The torch model of the script: the fixture backbone plus the head it wrote, in evaluation mode. */
    static RewardModel model(String name, Pooling pooling) throws IOException {
        RewardModel model = RewardModel.fromBase(MODELS.resolve(name), RewardConfig.mlp().withPooling(pooling),
                Generator.seed(1));
        Map<String, Tensor> head = new LinkedHashMap<>();
        Safetensors.load(REWARD.resolve(name).resolve("reward_head.safetensors"))
                .forEach((k, v) -> head.put(k.substring("reward_head.".length()), v));
        model.headModule().loadStateDict(head, true);
        model.eval();
        return model;
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        if (x.length != y.length) {
            throw new AssertionError("sizes differ: " + x.length + " vs " + y.length);
        }
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    static double maxAbs(Tensor a) {
        double worst = 0;
        for (double v : a.toDoubleArray()) {
            worst = Math.max(worst, Math.abs(v));
        }
        return worst;
    }
}
