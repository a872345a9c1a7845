package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import org.junit.jupiter.api.Test;

/** PRMEncoder against TRL's own PRMTrainer.tokenize_row (fixtures/prm_tokenize.json, make_prm_fixtures.py). */
class PRMEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void matchesTrlTokenizeRow() {
        JsonNode fixture = TestAssets.fixture("prm_tokenize.json");
        JsonNode records = fixture.get("records");
        int checked = 0;
        for (JsonNode c : fixture.get("cases")) {
            HfTokenizer tokenizer = TestAssets.tokenizer(c.get("tokenizer").asText());
            PRMEncoder encoder = new PRMEncoder(tokenizer, c.get("separator").asText(), intOrNull(c.get("max_length")),
                    intOrNull(c.get("max_completion_length")), c.get("last").asBoolean() && !c.get("eval").asBoolean());
            for (int r = 0; r < records.size(); r++) {
                PRMExample e = encoder.encode((ObjectNode) records.get(r), new DatasetStats());
                String as = c.get("tokenizer").asText() + " " + c.get("name").asText() + " record " + r;
                assertThat(e.inputIds()).as(as + " ids").containsExactly(longs(c.get("input_ids").get(r)));
                assertThat(e.labels()).as(as + " labels").containsExactly(longs(c.get("labels").get(r)));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(36);
        DatasetStats stats = new DatasetStats();
        PRMEncoder cut = new PRMEncoder(TestAssets.tokenizer("tiny-chat"), "\n", 14, null, false);
        for (JsonNode r : records) {
            cut.encode((ObjectNode) r, stats);
        }
        // max_length 14 cuts the first two records (19 and 42 tokens), not the third (13).
        assertThat(stats.keptRecords()).isEqualTo(3);
        assertThat(stats.truncatedRecords()).isEqualTo(2);
    }

    @Test
    void badRecordsNameTheField() throws Exception {
        PRMEncoder encoder = new PRMEncoder(TestAssets.tokenizer("tiny-chat"), "\n", null, null, false);
        ObjectNode mismatch = (ObjectNode) JSON.readTree("{\"prompt\": \"a\", \"completions\": [\"b\"], \"labels\": []}");
        assertThatThrownBy(() -> encoder.encode(mismatch, new DatasetStats())).hasMessageContaining("'labels'");
        ObjectNode counts = (ObjectNode) JSON.readTree(
                "{\"prompt\": \"a\", \"completions\": [\"b\", \"c\"], \"labels\": [true]}");
        assertThatThrownBy(() -> encoder.encode(counts, new DatasetStats())).hasMessageContaining("same length");
        ObjectNode label = (ObjectNode) JSON.readTree("{\"prompt\": \"a\", \"completions\": [\"b\"], \"labels\": [\"yes\"]}");
        assertThatThrownBy(() -> encoder.encode(label, new DatasetStats())).hasMessageContaining("labels[0]");
    }

    private static Integer intOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asInt();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
