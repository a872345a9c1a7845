package io.rlhf4j.nn.lora;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.engine.safetensors.SafetensorsFile;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The adapters written by src/test/python/make_lora_fixtures.py and the tiny models they sit on. */
final class LoraFixtures {

    static final Path MODELS = Path.of("src/test/resources/models");
    static final Path LORA = Path.of("src/test/resources/lora");

    private LoraFixtures() {
    }

    static PreTrainedCausalLM model(String name) {
        try {
            return AutoModelForCausalLM.fromPretrained(MODELS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Tensor> adapterReference(String adapterCase) throws IOException {
        return Safetensors.load(LORA.resolve(adapterCase).resolve("reference.safetensors"));
    }

    /** The modules PEFT wrapped (metadata of reference.safetensors), sorted. */
    static List<String> wrappedModules(String adapterCase) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(LORA.resolve(adapterCase).resolve("reference.safetensors"))) {
            return Arrays.stream(f.metadata().get("wrapped_modules").split(",")).sorted().toList();
        }
    }
}
