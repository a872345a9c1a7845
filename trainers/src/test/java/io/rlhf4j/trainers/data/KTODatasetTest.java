package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KTODatasetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static HfTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tokenizer = TestAssets.tokenizer("tiny-chat");
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static KTOExample encode(KTOEncoder encoder, String json) throws IOException {
        return encoder.encode((ObjectNode) JSON.readTree(json), new DatasetStats());
    }

    /** TRL's {completion, label: bool} and the specification's {response, label: 1|0} give the same tokens. */
    @Test
    void bothRecordFormsTokenizePromptPlusCompletionWithEos() throws IOException {
        KTOEncoder encoder = new KTOEncoder(tokenizer, null, null, "keep_start");
        String prompt = "Question: What is 1 plus 6?\nAnswer:";
        String eos = tokenizer.specialTokens().eos();
        KTOExample trl = encode(encoder, "{\"prompt\": \"Question: What is 1 plus 6?\\nAnswer:\", "
                + "\"completion\": \" 1 plus 6 is 7.\", \"label\": true}");
        KTOExample spec = encode(encoder, "{\"prompt\": \"Question: What is 1 plus 6?\\nAnswer:\", "
                + "\"response\": \" 1 plus 6 is 7.\", \"label\": 1}");
        assertThat(trl.ids()).containsExactly(tokenizer.encode(prompt + " 1 plus 6 is 7." + eos, true));
        assertThat(trl.promptLength()).isEqualTo(tokenizer.encode(prompt, true).length);
        assertThat(trl.desirable()).isTrue();
        assertThat(spec).isEqualTo(trl);
        KTOExample bad = encode(encoder, "{\"prompt\": \"Q\", \"response\": \" a\", \"label\": 0}");
        assertThat(bad.desirable()).isFalse();
        assertThat(encode(encoder, "{\"prompt\": \"Q\", \"completion\": \" a\", \"label\": false}")).isEqualTo(bad);
    }

    @Test
    void conversationalRecordsUseTheChatTemplate() throws IOException {
        KTOEncoder encoder = new KTOEncoder(tokenizer, null, null, "keep_start");
        KTOExample e = encode(encoder, "{\"prompt\": [{\"role\": \"user\", \"content\": \"What is 1 plus 6?\"}], "
                + "\"completion\": [{\"role\": \"assistant\", \"content\": \"1 plus 6 is 7.\"}], \"label\": true}");
        String prompt = "<|im_start|>user\nWhat is 1 plus 6?<|im_end|>\n<|im_start|>assistant\n";
        assertThat(e.promptLength()).isEqualTo(tokenizer.encode(prompt, false).length);
        assertThat(tokenizer.decode(e.completionIds(), false)).isEqualTo("1 plus 6 is 7.<|im_end|>\n");
    }

    /** Too long: the prompt keeps its last max_prompt_length tokens (keep_end), the completion its first ones. */
    @Test
    void truncationCutsPromptThenCompletion() throws IOException {
        String prompt = "Question: " + "What is 1 plus 6? ".repeat(6) + "\nAnswer:";
        String completion = " 1 plus 6 is 7. " + "Really, 7. ".repeat(6);
        long[] p = tokenizer.encode(prompt, true);
        long[] full = tokenizer.encode(prompt + completion + tokenizer.specialTokens().eos(), true);
        assertThat(full.length).isGreaterThan(24);
        KTOEncoder encoder = new KTOEncoder(tokenizer, 24, 10, "keep_end");
        DatasetStats stats = new DatasetStats();
        KTOExample e = encoder.encode((ObjectNode) JSON.valueToTree(java.util.Map.of("prompt", prompt,
                "completion", completion, "label", false)), stats);
        assertThat(e.promptLength()).isEqualTo(10);
        assertThat(e.ids()).hasSize(24);
        assertThat(e.promptIds()).containsExactly(Arrays.copyOfRange(p, p.length - 10, p.length));
        assertThat(e.completionIds()).containsExactly(Arrays.copyOfRange(full, p.length, p.length + 14));
        assertThat(stats.truncatedRecords()).isEqualTo(1);
    }

    @Test
    void badRecordsNameFileLineAndField() throws IOException {
        KTOEncoder encoder = new KTOEncoder(tokenizer, 64, 32, "keep_start");
        Path f = dir.resolve("bad.jsonl");
        String good = "{\"prompt\": \"Q\", \"completion\": \" a\", \"label\": true}\n";
        List<String[]> cases = List.of(
                new String[] {"{\"prompt\": \"Q\", \"completion\": \" a\"}", "missing field 'label'"},
                new String[] {"{\"prompt\": \"Q\", \"label\": 1}", "missing field 'completion'"},
                new String[] {"{\"completion\": \" a\", \"label\": 1}", "missing field 'prompt'"},
                new String[] {"{\"prompt\": \"Q\", \"completion\": \" a\", \"response\": \" b\", \"label\": 1}",
                    "both 'completion' and 'response'"},
                new String[] {"{\"prompt\": \"Q\", \"response\": \" a\", \"label\": \"yes\"}",
                    "field 'label' must be true/false or 1/0"},
                new String[] {"{\"prompt\": \"Q\", \"response\": \" a\", \"label\": 2}", "got 2"},
                new String[] {"{\"prompt\": \"Q\", \"response\": 3, \"label\": 1}",
                    "field 'response' must be text or a list of messages, got number"},
                new String[] {"{\"prompt\": [{\"role\": \"user\", \"content\": \"Q\"}], \"completion\": \" a\", "
                    + "\"label\": 1}", "'prompt' and 'completion' must both be text or both be lists"});
        for (String[] c : cases) {
            Files.writeString(f, good + c[0] + "\n");
            assertThatThrownBy(() -> KTODataset.load(f, encoder, false)).as(c[0])
                    .isInstanceOf(BadRecordException.class).hasMessageStartingWith(f + ":2: ")
                    .hasMessageContaining(c[1]);
            KTODataset skipped = KTODataset.load(f, encoder, true);
            assertThat(skipped.size()).isEqualTo(1);
            assertThat(skipped.stats().skippedBadRecords()).isEqualTo(1);
        }
    }

    @Test
    void exampleDataAndStreamingYieldEveryExampleOncePerPass() {
        Path f = TestAssets.EXAMPLES.resolve("data/kto.jsonl");
        KTOEncoder encoder = new KTOEncoder(tokenizer, 64, 32, "keep_end");
        KTODataset data = KTODataset.load(f, encoder, false);
        assertThat(data.size()).isEqualTo(96);
        assertThat(data.desirable()).isEqualTo(48);
        StreamingKTODataset s = new StreamingKTODataset(f, encoder, false, 8, 3);
        List<KTOExample> pass = s.nextBatch(data.size());
        assertThat(pass).containsExactlyInAnyOrderElementsOf(data.examples()).isNotEqualTo(data.examples());
        KTODataset eval = KTODataset.load(TestAssets.EXAMPLES.resolve("data/kto_eval.jsonl"), encoder, false);
        assertThat(eval.desirable()).isEqualTo(eval.size() / 2);
    }

    /** KL rows pair each prompt with the previous example's completion (TRL's +1 rotation), cut to max_length. */
    @Test
    void collationBuildsRotatedKlRows() {
        KTOExample a = new KTOExample(new long[] {5, 6, 7}, 2, true);
        KTOExample b = new KTOExample(new long[] {1, 2, 3, 4}, 1, false);
        KTOExample c = new KTOExample(new long[] {9, 8}, 1, true);
        KTOBatch batch = KTOBatch.collate(List.of(a, b, c), new Collator(0), true, null);
        assertThat(batch.inputIds().toLongArray()).containsExactly(5, 6, 7, 0, 1, 2, 3, 4, 9, 8, 0, 0);
        assertThat(batch.attentionMask().toLongArray()).containsExactly(1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0);
        assertThat(batch.promptLengths()).containsExactly(2, 1, 1);
        assertThat(batch.desirable()).containsExactly(true, false, true);
        assertThat(batch.labels().toDoubleArray()).containsExactly(1, 0, 1);
        assertThat(batch.tokens()).isEqualTo(9);
        // a's prompt + c's completion, b's prompt + a's completion, c's prompt + b's completion
        assertThat(batch.klInputIds().toLongArray()).containsExactly(5, 6, 8, 0, 1, 7, 0, 0, 9, 2, 3, 4);
        assertThat(batch.klAttentionMask().toLongArray()).containsExactly(1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1);
        KTOBatch cut = KTOBatch.collate(List.of(a, b, c), new Collator(0), true, 3);
        assertThat(cut.klInputIds().toLongArray()).containsExactly(5, 6, 8, 1, 7, 0, 9, 2, 3);
        KTOBatch noKl = KTOBatch.collate(List.of(a, b), new Collator(0), false, null);
        assertThat(noKl.hasKl()).isFalse();
        assertThatThrownBy(() -> new KTOExample(new long[] {1, 2}, 2, true)).hasMessageContaining("no completion");
    }
}
