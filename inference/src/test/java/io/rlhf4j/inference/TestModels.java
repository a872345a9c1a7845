package io.rlhf4j.inference;

import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** nn's tiny Hugging Face fixture models (paths relative to this module's folder, where Surefire runs). */
final class TestModels {

    static final Path MODELS = Path.of("../nn/src/test/resources/models").toAbsolutePath().normalize();

    private TestModels() {
    }

    static CausalLM load(String name) {
        try {
            return AutoModelForCausalLM.fromPretrained(MODELS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }
}
