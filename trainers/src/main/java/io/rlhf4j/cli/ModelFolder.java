package io.rlhf4j.cli;

import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationConfigFile;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.nn.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face model folder as the inference commands use it: the model (config.json and
 * safetensors) and its tokenizer (tokenizer.json and tokenizer_config.json), side by side.
 * Problems with the folder are {@link Main.UserError}s that say which file is missing.
 */
record ModelFolder(Path path, PolicyModel policy, HfTokenizer tokenizer) implements AutoCloseable {

    static ModelFolder load(Path path) {
        if (!Files.isDirectory(path)) {
            throw new Main.UserError("--model " + path + ": no such folder");
        }
        if (!Files.isRegularFile(path.resolve("config.json"))) {
            throw new Main.UserError("--model " + path + ": no config.json; expected a Hugging Face model folder"
                    + " (config.json, model.safetensors, tokenizer.json, tokenizer_config.json)");
        }
        if (!Files.isRegularFile(path.resolve("tokenizer.json"))) {
            throw new Main.UserError("--model " + path + ": no tokenizer.json; the tokenizer files (tokenizer.json,"
                    + " tokenizer_config.json) must be in the model folder (save them there with"
                    + " tokenizer.save_pretrained)");
        }
        HfTokenizer tokenizer;
        try {
            tokenizer = HfTokenizer.load(path);
        } catch (TokenizerException e) {
            throw new Main.UserError("--model " + path + ": cannot load the tokenizer: " + e.getMessage());
        }
        try {
            return new ModelFolder(path, PolicyModel.fromPretrained(path), tokenizer);
        } catch (IOException | IllegalArgumentException e) {
            tokenizer.close();
            throw new Main.UserError("--model " + path + ": cannot load the model: " + e.getMessage());
        }
    }

    /** generation_config.json's settings, or config.json's EOS and pad ids when there is none. */
    GenerationConfig generationConfig() {
        try {
            return GenerationConfigFile.forModelFolder(path, policy.model().config());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
