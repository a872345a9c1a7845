package io.rlhf4j.nn.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.StateDictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds a {@link CausalLM} from a Hugging Face model directory, like transformers' class of the same name. */
public final class AutoModelForCausalLM {

    private AutoModelForCausalLM() {
    }

    /** Loads config.json and the safetensors weights (single file or sharded), parameters in F32. */
    public static PreTrainedCausalLM fromPretrained(Path directory) throws IOException {
        return fromPretrained(directory, DType.F32);
    }

    /**
     * Loads with parameters stored in {@code dtype} (F32, or BF16/F16 to halve memory; compute
     * is F32 either way). Files of any floating dtype are converted (BF16/F16 → F32 exactly).
     */
    public static PreTrainedCausalLM fromPretrained(Path directory, DType dtype) throws IOException {
        ModelConfig config = ModelConfig.read(directory);
        PreTrainedCausalLM model = fromConfig(config, dtype);
        Map<String, Tensor> weights = Safetensors.loadCheckpoint(directory);
        Map<String, Tensor> state = new LinkedHashMap<>();
        boolean prefixed = weights.keySet().stream().anyMatch(k -> k.startsWith(model.basePrefix()));
        weights.forEach((name, tensor) -> {
            String key = prefixed || name.startsWith("lm_head.") ? name : model.basePrefix() + name;
            if (!model.ignoredCheckpointKey(key)) {
                state.put(key, tensor);
            }
        });
        try {
            model.loadStateDict(state, true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException(config.architecture() + " (model_type " + config.modelType()
                    + ") does not match the weights in " + weightsFile(directory) + ": " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /** A model with zero weights (norm weights one) for {@code config}. */
    public static PreTrainedCausalLM fromConfig(ModelConfig config, DType dtype) {
        return config.isLlamaFamily() ? new LlamaForCausalLM(config, dtype) : new Gpt2LMHeadModel(config, dtype);
    }

    /**
     * A model for {@code config} initialised as transformers' PreTrainedModel._init_weights does
     * for these families: every matrix (linear weights, embeddings) normal(0, initializer_range,
     * default 0.02), biases 0, norm weights 1. Matrices are drawn from {@code generator} in
     * parameter order (tied weights once), so a seed gives the same model every time.
     */
    public static PreTrainedCausalLM fromConfig(ModelConfig config, DType dtype, Generator generator) {
        PreTrainedCausalLM model = fromConfig(config, dtype);
        JsonNode range = config.raw().get("initializer_range");
        double std = range != null && range.isNumber() ? range.asDouble() : 0.02;
        for (Parameter p : model.parameters()) {
            if (p.shape().length >= 2) {
                try (var _ = Memory.scope()) {
                    p.load(generator.normal(p.shape(), 0, std, DType.F32));
                }
            }
        }
        model.eval();
        return model;
    }

    private static Path weightsFile(Path directory) {
        Path index = directory.resolve("model.safetensors.index.json");
        return Files.exists(index) ? index : directory.resolve("model.safetensors");
    }
}
