package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationConfigFile;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlhf4j generate} on the example model against transformers and {@link PolicyModel#generate}. */
class GenerateCommandTest {

    private static final Path MODEL = TestAssets.EXAMPLE_MODEL;
    private static PolicyModel policy;
    private static HfTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        policy = PolicyModel.fromPretrained(MODEL);
        tokenizer = TestAssets.tokenizer("tiny-chat");
    }

    private static JsonNode fixture(String name) {
        for (JsonNode c : TestAssets.fixture("cli_generate.json")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    /** What PolicyModel.generate + decode gives for the same prompt, settings and seed. */
    private static String direct(long[] prompt, GenerationConfig config) {
        GenerationResult r = policy.generate(PromptBatch.leftPad(List.of(prompt), config.effectivePadTokenId()),
                config, Generator.seed(config.seed()), ids -> tokenizer.decode(ids, false), TokenStreamer.NONE);
        return tokenizer.decode(r.generated().getFirst(), true);
    }

    private static GenerationConfig modelConfig(Path model) {
        return GenerationConfigFile.forModelFolder(model, policy.model().config());
    }

    @Test
    void greedyPlainPromptEqualsTransformersAndPolicyModel() {
        JsonNode c = fixture("plain");
        int n = c.get("max_new_tokens").asInt();
        CliRun r = CliRun.of("generate", "--model", MODEL.toString(), "--prompt", c.get("prompt").asText(),
                "--temperature", "0", "--max-new-tokens", String.valueOf(n));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(c.get("text").asText() + System.lineSeparator());
        assertThat(tokenizer.encode(c.get("prompt").asText(), true)).containsExactly(longs(c.get("prompt_ids")));
        assertThat(r.out()).isEqualTo(direct(longs(c.get("prompt_ids")), modelConfig(MODEL).withMaxNewTokens(n))
                + System.lineSeparator());
        assertThat(r.err()).containsPattern("generate: " + n + " tokens in [0-9.]+ s \\([0-9.]+ tokens/s\\),"
                + " finish reason: length, greedy");
    }

    /** With a draft model greedy output is unchanged (the transformers text); the model as its own draft is always accepted. */
    @Test
    void draftModelGivesTheSameGreedyText() {
        JsonNode c = fixture("plain");
        int n = c.get("max_new_tokens").asInt();
        CliRun r = CliRun.of("generate", "--model", MODEL.toString(), "--prompt", c.get("prompt").asText(),
                "--temperature", "0", "--max-new-tokens", String.valueOf(n), "--draft-model", MODEL.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(c.get("text").asText() + System.lineSeparator());
        assertThat(r.err()).containsPattern("generate: " + n + " tokens in [0-9.]+ s \\([0-9.]+ tokens/s\\),"
                + " finish reason: length, greedy, draft acceptance 1.00 \\([0-9]+ of [0-9]+\\), [0-9]+ target forwards");
        CliRun bad = CliRun.of("generate", "--model", MODEL.toString(), "--prompt", "x", "--draft-model",
                dir.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--draft-model " + dir);
    }

    @Test
    void chatRendersThroughTheTemplateAsTransformersDoes() {
        JsonNode c = fixture("chat");
        GenerateCommand command = new GenerateCommand();
        command.chat = true;
        command.system = c.get("system").asText();
        command.prompt = c.get("prompt").asText();
        assertThat(command.promptIds(tokenizer)).containsExactly(longs(c.get("prompt_ids")));
        assertThat(tokenizer.applyChatTemplate(List.of(Map.of("role", "system", "content", command.system),
                Map.of("role", "user", "content", command.prompt)), true, Map.of()))
                .isEqualTo(c.get("rendered").asText());

        int n = c.get("max_new_tokens").asInt();
        CliRun r = CliRun.of("generate", "--model", MODEL.toString(), "--chat", "--system", command.system,
                "--prompt", command.prompt, "--temperature", "0", "--max-new-tokens", String.valueOf(n));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(c.get("text").asText() + System.lineSeparator());
    }

    @Test
    void seededSamplingEqualsPolicyModelAndRepeats() {
        String[] args = {"generate", "--model", MODEL.toString(), "--prompt", "Question: What is 7 plus 1?",
            "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95", "--seed", "7", "--max-new-tokens", "40"};
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isZero();
        GenerationConfig config = modelConfig(MODEL).withDoSample(true).withTemperature(0.9).withTopK(40)
                .withTopP(0.95).withSeed(7).withMaxNewTokens(40);
        String expected = direct(tokenizer.encode("Question: What is 7 plus 1?", true), config);
        assertThat(expected).isNotBlank();
        assertThat(r.out()).isEqualTo(expected + System.lineSeparator());
        assertThat(r.err()).contains("finish reason: ").contains(", seed 7");
        assertThat(CliRun.of(args).out()).isEqualTo(r.out());
    }

    @Test
    void stopStringEndsTheTextAfterTheTokenThatCompletesIt() {
        JsonNode c = fixture("plain");
        CliRun r = CliRun.of("generate", "--model", MODEL.toString(), "--prompt", c.get("prompt").asText(),
                "--temperature", "0", "--stop", "::::", "--stop", "never");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(c.get("text").asText()).startsWith("::::");
        assertThat(r.out()).isEqualTo("::::" + System.lineSeparator());
        assertThat(r.err()).contains("generate: 4 tokens").contains("finish reason: stop_string");
    }

    @Test
    void settingsComeFromGenerationConfigJson() throws IOException {
        Path model = copyModel(true);
        Files.writeString(model.resolve("generation_config.json"), "{\"do_sample\": true, \"temperature\": 0.7,"
                + " \"top_k\": 5, \"eos_token_id\": 2, \"max_new_tokens\": 9}");
        CliRun sampled = CliRun.of("generate", "--model", model.toString(), "--prompt", "Hello", "--seed", "11");
        assertThat(sampled.code()).as(sampled.err()).isZero();
        GenerationConfig expected = new GenerationConfig(9, 20, true, 0.7, 5, 1.0, List.of(2L), null, List.of(), 11);
        assertThat(modelConfig(model).withSeed(11)).isEqualTo(expected);
        assertThat(sampled.out()).isEqualTo(direct(tokenizer.encode("Hello", true), expected)
                + System.lineSeparator());
        assertThat(sampled.err()).contains("seed 11");

        JsonNode c = fixture("plain");
        CliRun greedy = CliRun.of("generate", "--model", model.toString(), "--prompt", c.get("prompt").asText(),
                "--temperature", "0");
        assertThat(greedy.out()).isEqualTo(":".repeat(9) + System.lineSeparator());
        assertThat(greedy.err()).contains("generate: 9 tokens").contains("greedy");
    }

    @Test
    void streamedPiecesEqualTheFinalDecodeAndKeepCharactersWhole() {
        // "café ☕ ok": é is two byte-level tokens and ☕ three; each decodes to U+FFFD alone.
        long[] ids = tokenizer.encode("caf\u00e9 \u2615 ok", true);
        List<String> pieces = new ArrayList<>();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, false, StandardCharsets.UTF_8) {
            @Override
            public void flush() {
                super.flush();
                pieces.add(sink.toString(StandardCharsets.UTF_8));
                sink.reset();
            }
        };
        TextStreamer streamer = new TextStreamer(tokenizer.streamingDecoder(true), out);
        for (int i = 0; i < ids.length; i++) {
            streamer.onToken(i, 0, ids[i]);
        }
        streamer.onFinish(0, FinishReason.LENGTH);
        assertThat(String.join("", pieces)).isEqualTo(tokenizer.decode(ids, true)).isEqualTo("caf\u00e9 \u2615 ok");
        assertThat(pieces).hasSizeGreaterThan(5).noneMatch(p -> p.contains("\uFFFD"))
                .contains("\u00e9", "\u2615");
    }

    @Test
    void problemsAreReportedWithoutAStackTrace() throws IOException {
        Path noTokenizer = copyModel(false);
        CliRun r = CliRun.of("generate", "--model", noTokenizer.toString(), "--prompt", "Hi");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: --model " + noTokenizer + ": no tokenizer.json")
                .doesNotContain("at io.rlhf4j");
        assertThat(CliRun.of("generate", "--model", dir.resolve("nope").toString(), "--prompt", "Hi").err())
                .contains("no such folder");
        CliRun system = CliRun.of("generate", "--model", MODEL.toString(), "--prompt", "Hi", "--system", "S");
        assertThat(system.err()).contains("error: --system needs --chat");
        CliRun topP = CliRun.of("generate", "--model", MODEL.toString(), "--prompt", "Hi", "--top-p", "2");
        assertThat(topP.err()).contains("error: top_p must be in [0, 1], got 2.0");
        CliRun usage = CliRun.of("generate", "--model", MODEL.toString());
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required option: '--prompt=TEXT'");
    }

    /** The example model's weights and config, with or without its tokenizer files. */
    private Path copyModel(boolean withTokenizer) throws IOException {
        Path model = Files.createDirectories(dir.resolve(withTokenizer ? "with-tokenizer" : "no-tokenizer"));
        List<String> files = new ArrayList<>(List.of("config.json", "model.safetensors"));
        if (withTokenizer) {
            files.addAll(List.of("tokenizer.json", "tokenizer_config.json"));
        }
        for (String f : files) {
            Files.copy(MODEL.resolve(f), model.resolve(f));
        }
        return model;
    }
}
