package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Outputs of transformers written by src/test/python/make_generation_fixtures.py. */
public final class GenerationFixtures {

    public static final Path RESOURCES = Path.of("src/test/resources");

    private GenerationFixtures() {
    }

    public static Path model(String name) {
        return RESOURCES.resolve("models").resolve(name);
    }

    /** models/&lt;name&gt;/generation.safetensors. */
    public static Map<String, Tensor> generation(String name) {
        return load(model(name).resolve("generation.safetensors"));
    }

    public static Map<String, Tensor> warpers() {
        return load(RESOURCES.resolve("generation/warpers.safetensors"));
    }

    private static Map<String, Tensor> load(Path file) {
        try {
            return Safetensors.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
