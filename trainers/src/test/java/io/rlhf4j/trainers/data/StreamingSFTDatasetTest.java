package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.SFTConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingSFTDatasetTest {

    private static HfTokenizer tokenizer;
    private static SFTEncoder encoder;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tokenizer = TestAssets.tokenizer("tiny-chat");
        encoder = new SFTEncoder(tokenizer, new SFTConfig());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private Path file(int records) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < records; i++) {
            s.append("{\"prompt\": \"Question: What is ").append(i).append(" plus 1?\\nAnswer:\", \"response\": \" ")
                    .append(i + 1).append(".\"}\n");
            if (i == 5) {
                s.append("{broken\n");
            }
        }
        Path f = dir.resolve("stream.jsonl");
        Files.writeString(f, s.toString());
        return f;
    }

    private StreamingSFTDataset stream(Path f, long seed, int buffer) {
        return new StreamingSFTDataset(f, encoder, "text", true, buffer, seed);
    }

    /** Each pass yields every record once, in a seeded order that differs between passes and seeds. */
    @Test
    void passesArePermutationsOfTheFile() throws IOException {
        Path f = file(20);
        List<SFTExample> inFile = SFTDataset.load(f, encoder, "text", true).examples();
        StreamingSFTDataset s = stream(f, 1, 6);
        List<SFTExample> pass0 = s.nextBatch(20);
        assertThat(s.position()).isEqualTo(new DataPosition(0, 20, 1));
        List<SFTExample> pass1 = s.nextBatch(20);
        assertThat(s.position()).isEqualTo(new DataPosition(1, 20, 1));
        assertThat(pass0).containsExactlyInAnyOrderElementsOf(inFile).isNotEqualTo(inFile);
        assertThat(pass1).containsExactlyInAnyOrderElementsOf(inFile).isNotEqualTo(pass0);
        assertThat(stream(f, 1, 6).nextBatch(20)).isEqualTo(pass0);
        assertThat(stream(f, 2, 6).nextBatch(20)).isNotEqualTo(pass0);
        assertThat(s.stats().skippedBadRecords()).isEqualTo(2);
    }

    /** A new stream resumed at a saved position continues with exactly the same examples. */
    @Test
    void resumeContinuesExactly() throws IOException {
        Path f = file(13);
        StreamingSFTDataset s = stream(f, 9, 4);
        List<SFTExample> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.addAll(s.nextBatch(3));
        }
        for (int cut : new int[] {3, 12, 13, 15}) {
            StreamingSFTDataset first = stream(f, 9, 4);
            first.nextBatch(cut);
            StreamingSFTDataset resumed = stream(f, 9, 4);
            resumed.resume(first.position());
            assertThat(resumed.nextBatch(30 - cut)).as("cut at %d", cut).isEqualTo(all.subList(cut, 30));
        }
    }
}
