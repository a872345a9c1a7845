package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code rlhf4j logprobs} against torch's log_softmax + gather on the transformers model. */
class LogprobsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = TestAssets.EXAMPLE_MODEL;
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final Path INPUT = FIXTURES.resolve("cli_logprobs_input.jsonl");

    @TempDir
    Path dir;

    private static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** Batch sizes 1 (no padding), 2 (a partial last batch) and 5 (all lines padded together). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void scoresEqualTorch(int batchSize) throws IOException {
        Path output = dir.resolve("scores.jsonl");
        CliRun r = CliRun.of("logprobs", "--model", MODEL.toString(), "--input", INPUT.toString(),
                "--output", output.toString(), "--batch-size", String.valueOf(batchSize));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        List<JsonNode> actual = jsonLines(Files.readString(output));
        List<JsonNode> expected = jsonLines(Files.readString(FIXTURES.resolve("cli_logprobs_expected.jsonl")));
        assertThat(actual).hasSameSizeAs(expected);
        int tokens = 0;
        for (int i = 0; i < expected.size(); i++) {
            JsonNode a = actual.get(i);
            JsonNode e = expected.get(i);
            assertThat(a.get("input_ids")).as("line %d", i + 1).isEqualTo(e.get("input_ids"));
            assertThat(a.get("first_scored")).isEqualTo(e.get("first_scored"));
            assertThat(a.get("tokens")).isEqualTo(e.get("tokens"));
            assertThat(a.get("logprobs")).hasSameSizeAs(e.get("logprobs"));
            for (int t = 0; t < e.get("logprobs").size(); t++) {
                assertThat(a.get("logprobs").get(t).asDouble()).as("line %d token %d", i + 1, t)
                        .isCloseTo(e.get("logprobs").get(t).asDouble(), within(1e-4));
            }
            int n = e.get("logprobs").size();
            assertThat(a.get("sum").asDouble()).isCloseTo(e.get("sum").asDouble(), within(1e-4 * n));
            assertThat(a.get("mean").asDouble()).isCloseTo(e.get("mean").asDouble(), within(1e-4));
            tokens += n;
        }
        assertThat(r.err()).contains("logprobs: scored " + tokens + " tokens of 5 lines");
    }

    @Test
    void writesToStdoutAndCanLeaveOutTokens() throws IOException {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input,
                "\n{\"prompt\": \"Question: What is 4 plus 4?\\nAnswer:\", \"completion\": \" 8.\"}\n\n");
        CliRun r = CliRun.of("logprobs", "--model", MODEL.toString(), "--input", input.toString(), "--no-tokens");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r.out().strip());
        assertThat(lines).hasSize(1);
        JsonNode line = lines.getFirst();
        assertThat(line.has("tokens")).isFalse();
        assertThat(line.get("first_scored").asInt()).isEqualTo(11);
        assertThat(line.get("input_ids")).hasSize(13);
        assertThat(line.get("logprobs")).hasSize(2);
        double sum = line.get("logprobs").get(0).asDouble() + line.get("logprobs").get(1).asDouble();
        assertThat(line.get("sum").asDouble()).isCloseTo(sum, within(1e-6));
        assertThat(line.get("mean").asDouble()).isCloseTo(sum / 2, within(1e-6));
    }

    @Test
    void badLinesNameFileAndLine() throws IOException {
        assertError("{\"text\": \"Hello there\"}\n{\"text\": oops}\n", ":2: not valid JSON");
        assertError("{\"prompt\": \"Hello\"}\n", ":1: missing field \"response\" (fields: [prompt])");
        assertError("\n{\"txt\": \"Hello\"}\n",
                ":2: a line needs {\"text\"} or {\"prompt\", \"response\"}, got fields [txt]");
        assertError("{\"text\": 5}\n", ":1: field \"text\" must be a string, got number");
        assertError("[1, 2]\n", ":1: expected a JSON object, got array");
        assertError("{\"text\": \"H\"}\n", ":1: \"text\" has 1 token(s); scoring needs at least 2");
        assertError("{\"prompt\": \"Hello\", \"response\": \"\"}\n", ":1: \"response\" adds no tokens");
    }

    @Test
    void missingFilesAreReported() throws IOException {
        Path missing = dir.resolve("x.jsonl");
        CliRun noInput = CliRun.of("logprobs", "--model", MODEL.toString(), "--input", missing.toString());
        assertThat(noInput.err()).contains("error: --input " + missing + ": no such file");
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.copy(MODEL.resolve("config.json"), model.resolve("config.json"));
        CliRun noTokenizer = CliRun.of("logprobs", "--model", model.toString(), "--input", INPUT.toString());
        assertThat(noTokenizer.code()).isEqualTo(1);
        assertThat(noTokenizer.err()).contains("no tokenizer.json").doesNotContain("at io.rlhf4j");
    }

    private void assertError(String content, String message) throws IOException {
        Path input = dir.resolve("bad.jsonl");
        Files.writeString(input, content);
        CliRun r = CliRun.of("logprobs", "--model", MODEL.toString(), "--input", input.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + input + message).doesNotContain("at io.rlhf4j");
    }
}
