package io.rlhf4j.nn.models;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** The tiny Hugging Face models written by src/test/python/make_model_fixtures.py. */
public final class Fixtures {

    static final Path MODELS = Path.of("src/test/resources/models");

    static final String[] NAMES = {"llama_gqa_llama3", "llama_linear_bf16", "qwen2", "qwen3", "mistral", "smollm_tied",
        "gpt2", "llama_sharded"};

    private Fixtures() {
    }

    static Path dir(String name) {
        return MODELS.resolve(name);
    }

    public static Map<String, Tensor> reference(String name) {
        try {
            return Safetensors.load(dir(name).resolve("reference.safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** max |a − b| over the [B, T, V] logits at positions where mask [B, T] is non-zero. */
    public static double maxDeltaAtTokens(Tensor a, Tensor b, Tensor mask) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        long[] m = mask.toLongArray();
        int vocab = a.shape(2);
        double worst = 0;
        for (int p = 0; p < m.length; p++) {
            if (m[p] == 0) {
                continue;
            }
            for (int v = 0; v < vocab; v++) {
                int i = p * vocab + v;
                worst = Math.max(worst, Math.abs((double) x[i] - y[i]));
            }
        }
        return worst;
    }
}
