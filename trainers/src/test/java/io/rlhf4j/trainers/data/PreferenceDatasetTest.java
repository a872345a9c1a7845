package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.LogProbs;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceDatasetTest {

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

    private static long[] longs(JsonNode n) {
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asLong();
        }
        return out;
    }

    /**
     * The fixture's records (make_dpo_fixtures.py: tokenization and TRL 0.x truncation redone in
     * Python with transformers' tokenizer, log-probs from transformers' forward of each unpadded
     * sequence) through encoder, collation of each length setting's pairs into one padded batch,
     * and PolicyModel.getLogProbs: the same ids and prompt lengths exactly, the same summed
     * response log-probs to 2e-5 (F32 logits summed over up to 35 tokens; 1.8e-6 apart when this
     * was written).
     */
    @Test
    void tokenizationAndLogProbsMatchTransformers() throws IOException {
        JsonNode all = TestAssets.fixture("preference_logprobs.json");
        CausalLM model = AutoModelForCausalLM.fromPretrained(TestAssets.EXAMPLE_MODEL);
        int checked = 0;
        for (int from = 0; from < all.size(); from += 3) {
            List<PreferenceExample> pairs = new ArrayList<>();
            List<JsonNode> entries = new ArrayList<>();
            for (int i = from; i < from + 3; i++) {
                JsonNode e = all.get(i);
                JsonNode cfg = e.get("config");
                PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, cfg.get("max_length").asInt(),
                        cfg.get("max_prompt_length").asInt(), cfg.get("truncation_mode").asText());
                PreferenceExample p = encoder.encode((ObjectNode) e.get("record"), new DatasetStats());
                assertThat(p.chosenIds()).as("chosen ids of %s", e).containsExactly(longs(e.at("/chosen/input_ids")));
                assertThat(p.rejectedIds()).as("rejected ids").containsExactly(longs(e.at("/rejected/input_ids")));
                assertThat(p.promptLength()).isEqualTo(e.get("prompt_length").asInt());
                assertThat(p.chosenTokens()).isEqualTo(e.at("/chosen/tokens").asInt());
                assertThat(p.rejectedTokens()).isEqualTo(e.at("/rejected/tokens").asInt());
                pairs.add(p);
                entries.add(e);
            }
            PreferenceBatch b = PreferenceBatch.collate(pairs, new Collator(0));
            LogProbs lp = new PolicyModel(model).getLogProbsNoGrad(b.inputIds(), b.attentionMask(), b.promptLengths());
            double[] sums = lp.sum().toDoubleArray();
            double[] counts = lp.mask().sum(1, false).toDoubleArray();
            for (int i = 0; i < 3; i++) {
                assertThat(sums[i]).isCloseTo(entries.get(i).at("/chosen/logp").asDouble(), within(2e-5));
                assertThat(sums[3 + i]).isCloseTo(entries.get(i).at("/rejected/logp").asDouble(), within(2e-5));
                assertThat(counts[i]).isEqualTo(entries.get(i).at("/chosen/tokens").asDouble());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(9);
    }

    /** Chat records: prompt rendered with the generation prompt, each response appended after it. */
    @Test
    void conversationalRecordsUseTheChatTemplate() throws IOException {
        PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, null, null, "keep_start");
        ObjectNode record = (ObjectNode) JSON.readTree(Files.readAllLines(
                TestAssets.EXAMPLES.resolve("data/preference_chat.jsonl")).getFirst());
        PreferenceExample p = encoder.encode(record, new DatasetStats());
        String prompt = "<|im_start|>user\nWhat is 1 plus 6?<|im_end|>\n<|im_start|>assistant\n";
        long[] promptIds = tokenizer.encode(prompt, false);
        assertThat(p.promptLength()).isEqualTo(promptIds.length);
        assertThat(p.chosenIds()).containsExactly(tokenizer.encode(prompt.substring(0, prompt.length()
                - "<|im_start|>assistant\n".length()) + "<|im_start|>assistant\n1 plus 6 is 7.<|im_end|>\n", false));
        assertThat(tokenizer.decode(java.util.Arrays.copyOfRange(p.rejectedIds(), p.promptLength(),
                p.rejectedIds().length), false)).isEqualTo("1 plus 6 is 6.<|im_end|>\n");
    }

    @Test
    void badRecordsNameFileLineAndField() throws IOException {
        PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, 64, 32, "keep_start");
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\": \"Q\", \"chosen\": \" a\", \"rejected\": \" b\"}\n"
                + "{\"prompt\": \"Q\", \"chosen\": \" a\"}\n");
        assertThatThrownBy(() -> PreferenceDataset.load(f, encoder, false)).isInstanceOf(BadRecordException.class)
                .hasMessageStartingWith(f + ":2: ").hasMessageContaining("missing field 'rejected'");
        Files.writeString(f, "{\"prompt\": \"Q\", \"chosen\": 3, \"rejected\": \" b\"}\n");
        assertThatThrownBy(() -> PreferenceDataset.load(f, encoder, false)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining(":1: field 'chosen' must be a string, got number");
        Files.writeString(f, "{\"prompt\": [{\"role\": \"user\", \"content\": \"Q\"}], \"chosen\": \" a\", "
                + "\"rejected\": \" b\"}\n{\"prompt\": \"Q\", \"chosen\": \" a\", \"rejected\": \" b\"}\n");
        assertThatThrownBy(() -> PreferenceDataset.load(f, encoder, false))
                .hasMessageContaining(":1: field 'chosen' must be a list of messages when 'prompt' is one");
        PreferenceDataset skipped = PreferenceDataset.load(f, encoder, true);
        assertThat(skipped.size()).isEqualTo(1);
        assertThat(skipped.stats().skippedBadRecords()).isEqualTo(1);
    }

    /** A pass of the stream yields each pair of the file once. */
    @Test
    void streamingYieldsEveryPairOncePerPass() {
        Path f = TestAssets.EXAMPLES.resolve("data/preference.jsonl");
        PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, 64, 32, "keep_end");
        List<PreferenceExample> inFile = PreferenceDataset.load(f, encoder, false).examples();
        StreamingPreferenceDataset s = new StreamingPreferenceDataset(f, encoder, false, 8, 3);
        List<PreferenceExample> pass = s.nextBatch(inFile.size());
        assertThat(pass).containsExactlyInAnyOrderElementsOf(inFile).isNotEqualTo(inFile);
        Set<Integer> prompts = new HashSet<>();
        pass.forEach(p -> prompts.add(p.promptLength()));
        assertThat(prompts).allMatch(n -> n > 0 && n <= 32);
    }

    /** Tensors of a collated batch: chosen rows first, right padding with mask 0. */
    @Test
    void collationPutsChosenFirst() {
        PreferenceExample a = new PreferenceExample(new long[] {5, 6, 7}, new long[] {5, 6, 8, 9}, 2);
        PreferenceExample b = new PreferenceExample(new long[] {1, 2}, new long[] {1, 3}, 1);
        PreferenceBatch batch = PreferenceBatch.collate(List.of(a, b), new Collator(0));
        assertThat(batch.pairs()).isEqualTo(2);
        assertThat(batch.inputIds().toLongArray()).containsExactly(5, 6, 7, 0, 1, 2, 0, 0, 5, 6, 8, 9, 1, 3, 0, 0);
        assertThat(batch.attentionMask().toLongArray()).containsExactly(1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0);
        assertThat(batch.promptLengths()).containsExactly(2, 1, 2, 1);
        assertThat(batch.tokens()).isEqualTo(11);
        assertThat(a.chosenTokens()).isEqualTo(1);
        assertThat(a.rejectedTokens()).isEqualTo(2);
        assertThatThrownBy(() -> new PreferenceExample(new long[] {1, 2}, new long[] {1, 2, 3}, 2))
                .hasMessageContaining("no response token");
    }
}
