package io.rlhf4j.nn.lora;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A PEFT adapter folder: adapter_config.json + adapter_model.safetensors. */
final class AdapterFiles {

    static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterFiles() {
    }

    static void save(LoraModel<?> lora, Path directory) throws IOException {
        AdapterConfigJson.write(lora.config(), directory);
        // PEFT writes its safetensors with metadata {"format": "pt"}.
        Safetensors.save(directory.resolve(WEIGHTS), lora.adapterStateDict(), Map.of("format", "pt"));
    }

    static Map<String, Tensor> readWeights(Path directory) throws IOException {
        Path file = directory.resolve(WEIGHTS);
        if (!Files.exists(file)) {
            String hint = Files.exists(directory.resolve("adapter_model.bin"))
                    ? " (only the pickled adapter_model.bin is there: re-save it with safetensors)" : "";
            throw new IOException("no " + WEIGHTS + " in " + directory + hint);
        }
        return Safetensors.load(file);
    }
}
