package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.ops.fused.Reduction;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProcessRewardModel against transformers' LlamaForTokenClassification
 * (trainers/src/test/python/make_prm_fixtures.py: src/test/resources/prm/llama_tokcls).
 */
class ProcessRewardModelTest {

    private static final Path FIXTURE = Path.of("src/test/resources/prm/llama_tokcls");
    /** F32 forward of a 2-layer model: torch and rlhf4j sum in different orders. */
    private static final double TOL = 2e-5;

    @TempDir
    Path dir;

    private static Map<String, Tensor> reference() throws IOException {
        return Safetensors.load(FIXTURE.resolve("reference.safetensors"));
    }

    @Test
    void logitsAndLossMatchTransformers() throws IOException {
        Map<String, Tensor> ref = reference();
        ProcessRewardModel model = ProcessRewardModel.fromPretrained(FIXTURE);
        assertThat(model.numLabels()).isEqualTo(2);
        try (var _ = Grad.disabled()) {
            Tensor logits = model.logits(ref.get("input_ids"), ref.get("attention_mask"));
            assertThat(logits.shape()).containsExactly(3, 7, 2);
            double[] got = logits.toDoubleArray();
            double[] want = ref.get("logits").toDoubleArray();
            double[] mask = ref.get("attention_mask").toDoubleArray();
            for (int i = 0; i < got.length; i++) {
                if (mask[i / 2] != 0) {
                    assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], within(TOL));
                }
            }
            Tensor loss = F.crossEntropy(logits.reshape(21, 2), ref.get("labels").reshape(21), F.IGNORE_INDEX,
                    Reduction.MEAN, 0);
            assertThat(loss.item()).isCloseTo(ref.get("loss").toDoubleArray()[0], within(TOL));
        }
    }

    @Test
    void stepScoresAreTheGoodProbabilityAtEachSeparator() throws IOException {
        Map<String, Tensor> ref = reference();
        ProcessRewardModel model = ProcessRewardModel.fromPretrained(FIXTURE);
        long sep = ref.get("separator").toLongArray()[0];
        double[][] scores = model.stepScores(ref.get("input_ids"), ref.get("attention_mask"), sep);
        double[] l = ref.get("logits").toDoubleArray();
        // Fixture separators: row 0 at 2 and 6, row 1 at 4, row 2 at 1 (positions past the mask are padding).
        int[][] at = {{2, 6}, {4}, {1}};
        for (int r = 0; r < 3; r++) {
            assertThat(scores[r]).hasSize(at[r].length);
            for (int s = 0; s < at[r].length; s++) {
                int i = (r * 7 + at[r][s]) * 2;
                double good = 1 / (1 + Math.exp(l[i] - l[i + 1]));
                assertThat(scores[r][s]).isCloseTo(good, within(1e-5));
            }
        }
    }

    @Test
    void saveLoadsBackInTransformersLayout() throws IOException {
        Map<String, Tensor> ref = reference();
        ProcessRewardModel model = ProcessRewardModel.fromPretrained(FIXTURE);
        model.savePretrained(dir);
        String config = Files.readString(dir.resolve("config.json"));
        assertThat(config).contains("\"LlamaForTokenClassification\"").contains("\"LABEL_1\"");
        assertThat(Safetensors.load(dir.resolve("model.safetensors")).keySet())
                .contains("score.weight", "score.bias", "model.norm.weight");
        ProcessRewardModel back = ProcessRewardModel.fromPretrained(dir);
        try (var _ = Grad.disabled()) {
            assertThat(back.logits(ref.get("input_ids"), ref.get("attention_mask")).toDoubleArray())
                    .containsExactly(model.logits(ref.get("input_ids"), ref.get("attention_mask")).toDoubleArray());
        }
    }

    @Test
    void gpt2HeadIsNamedClassifier() throws IOException {
        ProcessRewardModel model = ProcessRewardModel.fromBase(Path.of("src/test/resources/models/gpt2"), 2,
                Generator.seed(3));
        model.savePretrained(dir);
        assertThat(Safetensors.load(dir.resolve("model.safetensors")).keySet())
                .contains("classifier.weight", "classifier.bias", "transformer.ln_f.weight");
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"GPT2ForTokenClassification\"");
        ProcessRewardModel back = ProcessRewardModel.fromPretrained(dir);
        assertThat(back.head().weight().tensor().toDoubleArray()).containsExactly(model.head().weight().tensor().toDoubleArray());
    }

    @Test
    void refusesACausalLmFolderAndOneLabel() {
        assertThatThrownBy(() -> ProcessRewardModel.fromPretrained(Path.of("src/test/resources/models/gpt2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ProcessRewardModel.fromBase");
        assertThatThrownBy(() -> ProcessRewardModel.fromBase(FIXTURE, 1, Generator.seed(1)))
                .hasMessageContaining("num_labels must be at least 2");
    }

    @Test
    void boundariesAreWhereTheSeparatorEnds() {
        long[] row = {9, 4, 5, 7, 4, 5, 4, 5, 0};
        assertThat(StepBoundaries.find(row, 8, new long[] {4, 5})).containsExactly(2, 5, 7);
        assertThat(StepBoundaries.find(row, 6, new long[] {4, 5})).containsExactly(2, 5);
        assertThat(StepBoundaries.find(row, 9, new long[] {5})).containsExactly(2, 5, 7);
        assertThat(StepBoundaries.find(new long[] {3, 3, 3}, 3, new long[] {3, 3})).containsExactly(1);
        assertThatThrownBy(() -> StepBoundaries.find(row, 8, new long[0])).hasMessageContaining("separator");
    }

    @Test
    void aggregations() {
        double[] s = {0.9, 0.5, 0.8};
        assertThat(StepAggregation.MIN.apply(s)).isEqualTo(0.5);
        assertThat(StepAggregation.PRODUCT.apply(s)).isCloseTo(0.36, within(1e-15));
        assertThat(StepAggregation.LAST.apply(s)).isEqualTo(0.8);
        assertThat(StepAggregation.fromName("Product")).isEqualTo(StepAggregation.PRODUCT);
        assertThat(StepAggregation.MIN.apply(new double[0])).isNaN();
    }
}
