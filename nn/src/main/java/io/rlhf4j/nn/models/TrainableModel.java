package io.rlhf4j.nn.models;

import io.rlhf4j.nn.Module;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a training loop needs of any model it trains, whatever its head: the transformer's config,
 * the module tree (parameters, train/eval, state dict) and a save in the model's own layout.
 * Language models ({@link CausalLM}) and the reward models of {@code io.rlhf4j.nn.reward} are all one.
 */
public interface TrainableModel {

    ModelConfig config();

    /** The module tree (parameters, train/eval, state dict). */
    Module module();

    /** Writes the model in its Hugging Face layout (config.json and weights), loadable by transformers. */
    void save(Path directory) throws IOException;
}
