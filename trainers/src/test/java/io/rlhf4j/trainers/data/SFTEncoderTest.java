package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.SFTConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SFTEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, HfTokenizer> TOKENIZERS = new HashMap<>();

    @TempDir
    Path dir;

    private static HfTokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, TestAssets::tokenizer);
    }

    @AfterAll
    static void close() {
        TOKENIZERS.values().forEach(HfTokenizer::close);
    }

    private static SFTConfig config(JsonNode c) {
        SFTConfig config = new SFTConfig();
        config.completionOnlyLoss = c.get("completion_only_loss").asBoolean();
        config.maxLength = c.get("max_length").isNull() ? null : c.get("max_length").asInt();
        config.truncationMode = c.get("truncation_mode").asText();
        return config;
    }

    private static long[] longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    /** Every case of the transformers fixture: ids and labels exact, fully masked ones dropped. */
    @Test
    void matchesTransformersTokenizationAndLabels() {
        int checked = 0;
        int dropped = 0;
        for (JsonNode c : TestAssets.fixture("sft_tokenization.json")) {
            HfTokenizer tok = tokenizer(c.get("tokenizer").asText());
            DatasetStats stats = new DatasetStats();
            SFTExample e = new SFTEncoder(tok, config(c.get("config"))).encode((ObjectNode) c.get("record"), stats);
            SFTExample expected = new SFTExample(longs(c.get("input_ids")), longs(c.get("labels")));
            if (expected.lossTokens() == 0) {
                assertThat(e).as("%s", c.get("record")).isNull();
                assertThat(stats.droppedRecords()).isEqualTo(1);
                dropped++;
            } else {
                assertThat(e).as("%s", c.get("record")).isEqualTo(expected);
                checked++;
            }
            boolean truncated = !c.get("config").get("max_length").isNull();
            assertThat(stats.truncatedRecords()).isEqualTo(truncated ? 1 : 0);
        }
        assertThat(checked).isEqualTo(7);
        assertThat(dropped).isEqualTo(2);
    }

    /** GPT-2 by hand: prompt "a b" is [64, 275]; response " c" + EOS is [269, 50256]. */
    @Test
    void masksPromptTokensAndAppendsEosOnce() throws IOException {
        SFTEncoder enc = new SFTEncoder(tokenizer("gpt2"), new SFTConfig());
        SFTExample e = enc.encode(record("{\"prompt\": \"a b\", \"response\": \" c\"}"), new DatasetStats());
        assertThat(e.inputIds()).containsExactly(64, 275, 269, 50256);
        assertThat(e.labels()).containsExactly(-100, -100, 269, 50256);
        SFTExample withEos = enc.encode(record("{\"prompt\": \"a b\", \"completion\": \" c<|endoftext|>\"}"),
                new DatasetStats());
        assertThat(withEos).isEqualTo(e);
    }

    @Test
    void multiTurnQwen3TemplateIsReportedNotMislabelled() throws IOException {
        SFTEncoder enc = new SFTEncoder(tokenizer("qwen3"), new SFTConfig());
        ObjectNode r = record("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\","
                + " \"content\": \"Hello\"}, {\"role\": \"user\", \"content\": \"Bye\"}, {\"role\": \"assistant\","
                + " \"content\": \"Bye\"}]}");
        assertThatThrownBy(() -> enc.encode(r, new DatasetStats())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("assistant turn at index 1").hasMessageContaining("assistant_only_loss: false");
        SFTConfig all = new SFTConfig();
        all.assistantOnlyLoss = false;
        SFTExample e = new SFTEncoder(tokenizer("qwen3"), all).encode(r, new DatasetStats());
        assertThat(e.labels()).isEqualTo(e.inputIds());
    }

    @Test
    void malformedRecordNamesFileAndLine() throws IOException {
        Path file = dir.resolve("train.jsonl");
        Files.writeString(file, """
                {"prompt": "a", "response": " b"}

                {"prompt": "a", "response": " b"
                {"prompt": "a", "response": 3}
                {"question": "a"}
                ["not", "an", "object"]
                {"text": "plain"}
                """);
        SFTConfig config = new SFTConfig();
        SFTEncoder enc = new SFTEncoder(tokenizer("gpt2"), config);
        assertThatThrownBy(() -> SFTDataset.load(file, enc, "text", false)).isInstanceOf(BadRecordException.class)
                .hasMessageStartingWith(file + ":3: not valid JSON").hasMessageContaining("skip_bad_records");
        Path typed = dir.resolve("typed.jsonl");
        Files.writeString(typed, "{\"prompt\": \"a\", \"response\": \" b\"}\n{\"prompt\": \"a\", \"response\": 3}\n");
        assertThatThrownBy(() -> SFTDataset.load(typed, enc, "text", false))
                .hasMessageStartingWith(typed + ":2: field 'response' must be a string, got number");

        SFTDataset skipped = SFTDataset.load(file, enc, "text", true);
        assertThat(skipped.size()).isEqualTo(2);
        assertThat(skipped.stats().skippedBadRecords()).isEqualTo(4);
        assertThat(skipped.stats().keptRecords()).isEqualTo(2);
    }

    @Test
    void rawTextLinesAreTextRecords() throws IOException {
        Path file = dir.resolve("corpus.txt");
        Files.writeString(file, "Hello world\n\nsecond line\n");
        HfTokenizer tok = tokenizer("gpt2");
        SFTDataset data = SFTDataset.load(file, new SFTEncoder(tok, new SFTConfig()), "text", false);
        assertThat(data.examples()).containsExactly(SFTExample.allTokens(tok.encode("Hello world<|endoftext|>", true)),
                SFTExample.allTokens(tok.encode("second line<|endoftext|>", true)));
    }

    @Test
    void collatorRightPadsWithMaskedLabels() {
        SFTExample a = new SFTExample(new long[] {5, 6, 7}, new long[] {-100, 6, 7});
        SFTExample b = new SFTExample(new long[] {8}, new long[] {8});
        SFTBatch batch = new Collator(0).collate(java.util.List.of(a, b));
        assertThat(batch.inputIds().toLongArray()).containsExactly(5, 6, 7, 8, 0, 0);
        assertThat(batch.attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 0, 0);
        assertThat(batch.labels().toLongArray()).containsExactly(-100, 6, 7, 8, -100, -100);
        assertThat(batch.lossTokens()).isEqualTo(2);
        assertThat(batch.tokens()).isEqualTo(4);
        SFTBatch fixed = new Collator(1, 5).collate(java.util.List.of(b));
        assertThat(fixed.inputIds().toLongArray()).containsExactly(8, 1, 1, 1, 1);
        assertThat(fixed.labels().toLongArray()).containsExactly(8, -100, -100, -100, -100);
        assertThatThrownBy(() -> new Collator(0, 2).collate(java.util.List.of(a)))
                .hasMessageContaining("longer than the padding length 2");
    }

    private static ObjectNode record(String json) throws IOException {
        return (ObjectNode) JSON.readTree(json);
    }
}
