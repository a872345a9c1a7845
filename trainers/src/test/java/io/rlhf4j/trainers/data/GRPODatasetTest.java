package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GRPODatasetTest {

    private static final HfTokenizer TOKENIZER = TestAssets.tokenizer("tiny-chat");

    @TempDir
    Path dir;

    @Test
    void plainAndChatPromptsWithColumns() throws IOException {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, """
                {"prompt": "Question: What is 2 plus 2?\\nAnswer:", "answer": "4"}
                {"prompt": [{"role": "user", "content": "Hi"}], "answer": 5}
                """);
        GRPODataset d = GRPODataset.load(f, new GRPOPromptEncoder(TOKENIZER, null), false);
        GRPOExample plain = d.examples().get(0);
        assertThat(plain.prompt()).isEqualTo("Question: What is 2 plus 2?\nAnswer:");
        assertThat(plain.promptIds()).containsExactly(TOKENIZER.encode(plain.prompt(), true));
        assertThat(plain.columns()).isEqualTo(Map.of("answer", "4"));
        GRPOExample chat = d.examples().get(1);
        String rendered = TOKENIZER.applyChatTemplate(List.of(Map.of("role", "user", "content", "Hi")), true, Map.of());
        assertThat(chat.prompt()).isEqualTo(rendered).contains("Hi");
        assertThat(chat.promptIds()).containsExactly(TOKENIZER.encode(rendered, false));
        assertThat(chat.columns()).isEqualTo(Map.of("answer", "5"));
    }

    @Test
    void longPromptsKeepTheirLastTokens() throws IOException {
        Path f = dir.resolve("p.txt");
        String text = "Question: What is the capital of Cuba? Tell me the answer please.";
        Files.writeString(f, text + "\n");
        GRPODataset d = GRPODataset.load(f, new GRPOPromptEncoder(TOKENIZER, 5), false);
        long[] all = TOKENIZER.encode(text, true);
        GRPOExample e = d.examples().getFirst();
        assertThat(all.length).isGreaterThan(5);
        assertThat(e.promptIds()).containsExactly(Arrays.copyOfRange(all, all.length - 5, all.length));
        assertThat(e.prompt()).isEqualTo(TOKENIZER.decode(e.promptIds(), false));
        assertThat(d.stats().truncatedRecords()).isEqualTo(1);
    }

    @Test
    void badRecordsAreNamedOrSkipped() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\": \"ok\"}\n{\"question\": \"x\"}\n");
        GRPOPromptEncoder enc = new GRPOPromptEncoder(TOKENIZER, null);
        assertThatThrownBy(() -> GRPODataset.load(f, enc, false)).hasMessageContaining("bad.jsonl:2")
                .hasMessageContaining("'prompt'");
        assertThat(GRPODataset.load(f, enc, true).size()).isEqualTo(1);
    }

    @Test
    void streamingResumesWhereItStood() throws IOException {
        Path f = dir.resolve("s.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            sb.append("{\"prompt\": \"Prompt number ").append(i).append("\"}\n");
        }
        Files.writeString(f, sb);
        GRPOPromptEncoder enc = new GRPOPromptEncoder(TOKENIZER, null);
        StreamingGRPODataset a = new StreamingGRPODataset(f, enc, false, 3, 11);
        List<String> seen = new ArrayList<>();
        a.nextBatch(5).forEach(e -> seen.add(e.prompt()));
        DataPosition p = a.position();
        List<String> next = a.nextBatch(6).stream().map(GRPOExample::prompt).toList();
        assertThat(seen.subList(0, 5)).doesNotHaveDuplicates();
        StreamingGRPODataset b = new StreamingGRPODataset(f, enc, false, 3, 11);
        b.resume(p);
        assertThat(b.nextBatch(6).stream().map(GRPOExample::prompt).toList()).isEqualTo(next);
        assertThat(a.size()).isEmpty();
    }
}
