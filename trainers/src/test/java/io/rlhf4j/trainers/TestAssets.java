package io.rlhf4j.trainers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.data.GRPOExample;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Files the trainers tests share with other modules: nn's tiny HF models and real tokenizers
 * (tokenizer.json committed gzipped, unpacked into target/), the examples folder, and this module's
 * fixtures. Paths are relative to the module folder, where Surefire runs.
 */
public final class TestAssets {

    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    public static final Path EXAMPLES = ROOT.resolve("examples");
    public static final Path EXAMPLE_MODEL = EXAMPLES.resolve("models/tiny-chat");
    private static final Path NN_RESOURCES = ROOT.resolve("nn/src/test/resources");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestAssets() {
    }

    /** One of nn's tiny fixture models (gpt2, qwen3, smollm_tied, ...). */
    public static PreTrainedCausalLM model(String name) {
        try {
            return AutoModelForCausalLM.fromPretrained(NN_RESOURCES.resolve("models").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A real tokenizer (gpt2, qwen3) or the example model's (tiny-chat). */
    public static HfTokenizer tokenizer(String name) {
        return HfTokenizer.load(name.equals("tiny-chat") ? EXAMPLE_MODEL : tokenizerFolder(name));
    }

    public static JsonNode fixture(String name) {
        try (InputStream in = TestAssets.class.getClassLoader().getResourceAsStream("fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource fixtures/" + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path tokenizerFolder(String name) {
        Path source = NN_RESOURCES.resolve("tokenizers").resolve(name);
        Path dir = Path.of("target", "test-tokenizers", name);
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve("tokenizer.json");
            if (!Files.exists(json)) {
                Path tmp = Files.createTempFile(dir, "tokenizer", ".tmp");
                try (InputStream in = new GZIPInputStream(Files.newInputStream(source.resolve("tokenizer.json.gz")))) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, json, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.copy(source.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"),
                    StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Four prompts for the online stages (GRPO, PPO), tokenized with the example model's tokenizer. */
    public static List<GRPOExample> onlinePrompts() {
        HfTokenizer tokenizer = tokenizer("tiny-chat");
        List<GRPOExample> out = new ArrayList<>();
        for (String p : new String[] {"Question: What is 1 plus 6?\nAnswer:", "Say something:",
            "Question: What is the capital of Cuba?\nAnswer:", "Write:"}) {
            out.add(new GRPOExample(p, tokenizer.encode(p, true), Map.of()));
        }
        return out;
    }
}
