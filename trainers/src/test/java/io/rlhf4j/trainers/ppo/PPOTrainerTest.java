package io.rlhf4j.trainers.ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.nn.value.ValueModel;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.device.StepResult;
import io.rlhf4j.trainers.grpo.RewardFunctions;
import io.rlhf4j.trainers.logging.LogRecord;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.TrainerCallback;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PPO on the example tiny-chat model (2 layers, 384-token vocabulary, random weights). */
class PPOTrainerTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final HfTokenizer TOKENIZER = TestAssets.tokenizer("tiny-chat");

    @TempDir
    Path dir;

    private PPOConfig config(String run) {
        PPOConfig c = new PPOConfig();
        c.outputDir = dir.resolve(run).toString();
        c.perDeviceTrainBatchSize = 4;
        c.gradientAccumulationSteps = 2;
        c.responseLength = 8;
        c.numPpoEpochs = 2;
        c.learningRate = 1e-2;
        c.warmupRatio = 0;
        c.lrSchedulerType = "constant";
        c.loggingSteps = 1;
        c.saveSteps = 1000;
        c.seed = 3;
        c.reportTo = List.of();
        c.stopToken = "eos";
        return c;
    }

    private static PPOTrainer trainer(PPOConfig c, boolean shared) throws IOException {
        CausalLM model = model();
        ValueModel value = shared ? ValueModel.shared((PreTrainedCausalLM) model, Generator.seed(11))
                : ValueModel.fromPretrained(TestAssets.EXAMPLE_MODEL, Generator.seed(11));
        PPOTrainer t = new PPOTrainer(c, model, model(), value, TOKENIZER, new InMemorySource<>(TestAssets.onlinePrompts(), c.seed, true),
                ResponseScorer.of(List.of(RewardFunctions.charFraction("e")), null));
        t.setConsole(QUIET);
        return t;
    }

    private static CausalLM model() throws IOException {
        return AutoModelForCausalLM.fromPretrained(TestAssets.EXAMPLE_MODEL);
    }

    private static List<Double> metric(TrainResult r, String name) {
        List<Double> out = new ArrayList<>();
        for (LogRecord h : r.history()) {
            Double v = h.metrics().get("ppo/" + name);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    @Test
    void meanScoreRises() throws IOException {
        PPOConfig c = config("rise");
        c.maxSteps = 32;
        c.loggingSteps = 2;
        c.temperature = 1.0;
        c.klCoef = 0.01;
        TrainResult r = trainer(c, false).train(false);
        List<Double> scores = metric(r, "objective/scores");
        assertThat(scores).hasSize(16);
        double first = (scores.get(0) + scores.get(1) + scores.get(2) + scores.get(3)) / 4;
        double last = (scores.get(12) + scores.get(13) + scores.get(14) + scores.get(15)) / 4;
        assertThat(last).as("scores %s", scores).isGreaterThan(first + 0.07);
        for (String name : List.of("objective/kl", "objective/entropy", "objective/non_score_reward",
                "objective/rlhf_reward", "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg",
                "loss/value_avg", "val/clipfrac_avg", "policy/entropy_avg", "val/ratio", "val/num_eos_tokens")) {
            assertThat(metric(r, name)).as(name).hasSize(16).allSatisfy(v -> assertThat(v).isFinite());
        }
        assertThat(metric(r, "objective/kl_coef")).containsOnly(0.01);
        assertThat(Path.of(c.outputDir).resolve("value_model/model.safetensors")).exists();
        assertThat(Path.of(c.outputDir).resolve("model.safetensors")).exists();
    }

    /** A shared backbone trains too, and the adaptive controller moves kl_coef. */
    @Test
    void sharedBackboneAndAdaptiveKl() throws IOException {
        PPOConfig c = config("shared");
        c.maxSteps = 6;
        c.targetKl = 1e-4;
        c.horizon = 100;
        PPOTrainer t = trainer(c, true);
        TrainResult r = t.train(false);
        assertThat(metric(r, "loss/value_avg")).hasSize(6).allSatisfy(v -> assertThat(v).isFinite());
        // 3 rollouts of 8 samples; the KL after the first update exceeds the tiny target: kl_coef grows.
        assertThat(t.klCoef()).isGreaterThan(0.05);
        assertThat(Path.of(c.outputDir).resolve("value_model/" + ValueModel.SHARED_HEAD_FILE)).exists();
    }

    /** A checkpoint at a rollout boundary (step 2 of 2 per rollout) resumes bitwise: policy and value model. */
    @Test
    void resumeIsBitwiseExact() throws IOException {
        PPOConfig full = config("full");
        full.maxSteps = 4;
        full.targetKl = 0.01;
        PPOTrainer expectedTrainer = trainer(full, false);
        TrainResult expected = expectedTrainer.train(false);

        PPOConfig c = config("cut");
        c.maxSteps = 4;
        c.targetKl = 0.01;
        c.saveSteps = 2;
        PPOTrainer first = trainer(c, false);
        first.addCallback(new TrainerCallback() {
            @Override
            public void onStepEnd(long step, StepResult result) {
                if (step == 3) {
                    throw new IllegalStateException("killed after step 3");
                }
            }
        });
        assertThatThrownBy(() -> first.train(false)).hasMessage("killed after step 3");
        PPOTrainer resumedTrainer = trainer(c, false);
        TrainResult resumed = resumedTrainer.train(true);
        assertThat(resumed.resumedFrom()).isEqualTo(2);
        assertThat(resumed.stepLosses()).containsExactlyElementsOf(expected.stepLosses().subList(2, 4));
        assertThat(resumedTrainer.klCoef()).isEqualTo(expectedTrainer.klCoef());
        assertSameState(expectedTrainer.model().module().stateDict(), resumedTrainer.model().module().stateDict());
        assertSameState(expectedTrainer.valueModel().stateDict(), resumedTrainer.valueModel().stateDict());
    }

    private static void assertSameState(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k).toFloatArray()).as(k).containsExactly(v.toFloatArray()));
    }

    @Test
    void referenceMustBeASeparateModel() throws IOException {
        PPOConfig c = config("noref");
        CausalLM m = model();
        assertThatThrownBy(() -> new PPOTrainer(c, m, m, ValueModel.shared((PreTrainedCausalLM) m, Generator.seed(1)),
                TOKENIZER, new InMemorySource<>(TestAssets.onlinePrompts(), 1, true),
                ResponseScorer.of(List.of(RewardFunctions.charFraction("e")), null)))
                .hasMessageContaining("reference");
    }
}
