package io.rlhf4j.trainers.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.data.InMemorySource;
import io.rlhf4j.trainers.device.StepResult;
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

/** GRPO on the example tiny-chat model (2 layers, 384-token vocabulary, random weights). */
class GRPOTrainerTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final HfTokenizer TOKENIZER = TestAssets.tokenizer("tiny-chat");

    @TempDir
    Path dir;

    private GRPOConfig config(String run) {
        GRPOConfig c = new GRPOConfig();
        c.outputDir = dir.resolve(run).toString();
        c.numGenerations = 4;
        c.perDeviceTrainBatchSize = 4;
        c.gradientAccumulationSteps = 2;
        c.maxCompletionLength = 8;
        c.learningRate = 2e-2;
        c.warmupRatio = 0;
        c.lrSchedulerType = "constant";
        c.loggingSteps = 1;
        c.saveSteps = 1000;
        c.seed = 3;
        c.reportTo = List.of();
        return c;
    }

    private static GRPOTrainer trainer(GRPOConfig c, CausalLM model, CausalLM reference) {
        GRPOTrainer t = new GRPOTrainer(c, model, reference, TOKENIZER,
                new InMemorySource<>(TestAssets.onlinePrompts(), c.seed, true), List.of(RewardFunctions.charFraction("e")));
        t.setConsole(QUIET);
        return t;
    }

    private static CausalLM model() throws IOException {
        return AutoModelForCausalLM.fromPretrained(TestAssets.EXAMPLE_MODEL);
    }

    private static List<Double> metric(TrainResult r, String suffix) {
        List<Double> out = new ArrayList<>();
        for (LogRecord h : r.history()) {
            h.metrics().forEach((k, v) -> {
                if (k.endsWith(suffix)) {
                    out.add(v);
                }
            });
        }
        return out;
    }

    @Test
    void meanRewardRises() throws IOException {
        GRPOConfig c = config("rise");
        c.maxSteps = 12;
        TrainResult r = trainer(c, model(), null).train(false);
        List<Double> reward = metric(r, "/reward");
        assertThat(reward).hasSize(12);
        double first = (reward.get(0) + reward.get(1) + reward.get(2)) / 3;
        double last = (reward.get(9) + reward.get(10) + reward.get(11)) / 3;
        assertThat(last).as("rewards %s", reward).isGreaterThan(first + 0.1);
        assertThat(metric(r, "/rewards/char_fraction/mean")).containsExactlyElementsOf(reward);
        assertThat(metric(r, "/completions/mean_length")).allSatisfy(v -> assertThat(v).isBetween(1.0, 8.0));
        assertThat(metric(r, "/clip_ratio/region_mean")).allSatisfy(v -> assertThat(v).isZero());
    }

    /** With β &gt; 0, μ = 2 and a checkpoint at step 2 (a generation boundary), resuming continues bitwise. */
    @Test
    void resumeIsBitwiseExact() throws IOException {
        GRPOConfig full = config("full");
        full.maxSteps = 4;
        full.beta = 0.05;
        full.numIterations = 2;
        full.lossType = "grpo";
        CausalLM expectedModel = model();
        TrainResult expected = trainer(full, expectedModel, model()).train(false);
        assertThat(metric(expected, "/kl")).hasSize(4).anySatisfy(v -> assertThat(v).isPositive());

        GRPOConfig c = config("cut");
        c.maxSteps = 4;
        c.beta = 0.05;
        c.numIterations = 2;
        c.lossType = "grpo";
        c.saveSteps = 2;
        GRPOTrainer first = trainer(c, model(), model());
        first.addCallback(new TrainerCallback() {
            @Override
            public void onStepEnd(long step, StepResult result) {
                if (step == 3) {
                    throw new IllegalStateException("killed after step 3");
                }
            }
        });
        assertThatThrownBy(() -> first.train(false)).hasMessage("killed after step 3");
        CausalLM resumedModel = model();
        TrainResult resumed = trainer(c, resumedModel, model()).train(true);
        assertThat(resumed.resumedFrom()).isEqualTo(2);
        assertThat(resumed.stepLosses()).containsExactlyElementsOf(expected.stepLosses().subList(2, 4));
        Map<String, Tensor> a = expectedModel.module().stateDict();
        Map<String, Tensor> b = resumedModel.module().stateDict();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k).toFloatArray()).as(k).containsExactly(v.toFloatArray()));
    }

    @Test
    void betaNeedsAReferenceModel() {
        GRPOConfig c = config("noref");
        c.beta = 0.1;
        assertThatThrownBy(() -> trainer(c, model(), null)).hasMessageContaining("reference");
    }
}
