package io.rlhf4j.trainers.loop;

import io.rlhf4j.nn.tokenizer.SpecialTokens;
import io.rlhf4j.trainers.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** What every stage's fromConfig needs from the config's paths and the tokenizer. */
public final class RunInputs {

    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json", "chat_template.jinja");

    private RunInputs() {
    }

    /** The path {@code key} names, which must exist. */
    public static Path requirePath(String stage, String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key + " is not set: " + stage + " needs it (in the config file or --set " + key
                    + "=...)");
        }
        Path p = Path.of(value);
        if (!Files.exists(p)) {
            throw new ConfigException(key + ": " + p.toAbsolutePath() + " does not exist");
        }
        return p;
    }

    /** TRL's choice: the pad token, else the EOS token. */
    public static long padId(SpecialTokens tokens, Path modelDir) {
        if (tokens.padId() >= 0) {
            return tokens.padId();
        }
        if (tokens.eosId() >= 0) {
            return tokens.eosId();
        }
        throw new ConfigException(modelDir + ": the tokenizer has neither a pad nor an eos token to pad with");
    }

    /** Copies the tokenizer files of {@code modelDir} that exist into {@code outputDir}, so the output loads alone. */
    public static void copyTokenizer(Path modelDir, Path outputDir) throws IOException {
        for (String name : TOKENIZER_FILES) {
            Path f = modelDir.resolve(name);
            if (Files.isRegularFile(f)) {
                Files.copy(f, outputDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
