package io.rlhf4j.trainers.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.device.StepResult;
import io.rlhf4j.trainers.logging.LogRecord;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.TrainerCallback;
import io.rlhf4j.trainers.preference.PreferenceRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DPO on the example model and preference data (48 train pairs, 16 held out). */
class DPOTrainerTest {

    @TempDir
    Path dir;

    private DPOConfig config(String run) {
        DPOConfig c = PreferenceRuns.configure(new DPOConfig(), dir, run);
        c.maxLength = 64;
        c.maxPromptLength = 32;
        return c;
    }

    /**
     * Policy = reference at the start, so every log-ratio is 0: the first step's loss is exactly
     * ln 2 and every reward 0 (accuracy 0: no chosen reward is strictly above). Then 12 steps on 8
     * pairs (β 0.5, constant lr 3e-3): the pairs are learnt, the loss of the last two steps about
     * 0.01 and every pair ranked right when this was written, on the logged training batches and
     * on evaluation over the same pairs; the bounds (0.2, 0.9, margin 1) leave a wide margin.
     */
    @Test
    void lossFallsAndRewardAccuracyRises() throws IOException {
        DPOConfig c = PreferenceRuns.memorize(new DPOConfig(), dir, "train");
        c.evalFile = c.trainFile;
        c.evalSteps = 12.0;
        c.beta = 0.5;
        DPOTrainer t = DPOTrainer.fromConfig(c);
        t.setConsole(PreferenceRuns.QUIET);
        TrainResult r = t.train(false);
        assertThat(r.globalStep()).isEqualTo(12);
        List<LogRecord> h = r.history();
        assertThat(r.stepLosses().getFirst()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(r.stepLosses().getLast()).isLessThan(0.2);
        assertThat(PreferenceRuns.metric(h, "dpo/loss", true)).isLessThan(0.2);
        assertThat(PreferenceRuns.metric(h, "dpo/rewards/accuracies", true)).isGreaterThan(0.9);
        assertThat(PreferenceRuns.metric(h, "dpo/rewards/margins", true)).isGreaterThan(1);
        assertThat(PreferenceRuns.metric(h, "dpo/rewards/chosen", true)).isGreaterThan(PreferenceRuns.metric(h, "dpo/rewards/rejected", true));
        assertThat(PreferenceRuns.metric(h, "dpo/logps/chosen", true)).isLessThan(0);
        assertThat(PreferenceRuns.metric(h, "dpo/eval_loss", true)).isLessThan(0.2);
        assertThat(PreferenceRuns.metric(h, "dpo/eval_rewards/accuracies", true)).isGreaterThan(0.9);
        assertThat(Files.exists(dir.resolve("train/model.safetensors"))).isTrue();
        assertThat(Files.exists(dir.resolve("train/tokenizer.json"))).isTrue();
    }

    /** The very first step: log-ratios 0, so ln 2 and zero rewards; accuracy 0 (ties are not wins). */
    @Test
    void firstStepMatchesAnUntrainedPolicy() throws IOException {
        DPOConfig c = config("first");
        c.maxSteps = 1;
        DPOTrainer t = DPOTrainer.fromConfig(c);
        t.setConsole(PreferenceRuns.QUIET);
        TrainResult r = t.train(false);
        assertThat(r.stepLosses().getFirst()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(PreferenceRuns.metric(r.history(), "dpo/rewards/chosen", false)).isCloseTo(0, within(1e-6));
        assertThat(PreferenceRuns.metric(r.history(), "dpo/rewards/margins", false)).isCloseTo(0, within(1e-6));
        assertThat(PreferenceRuns.metric(r.history(), "dpo/rewards/accuracies", false)).isZero();
        assertThat(PreferenceRuns.metric(r.history(), "dpo/logps/chosen", false)).isLessThan(-10);
    }

    /**
     * With use_peft the reference is the base model: LoRA's B matrices start at zero, so the first
     * loss is ln 2 again; the adapters learn (loss falls) and the output is a PEFT adapter.
     */
    @Test
    void peftTrainsAdaptersAgainstTheBaseModel() throws IOException {
        DPOConfig c = PreferenceRuns.memorize(new DPOConfig(), dir, "peft");
        c.usePeft = true;
        c.loraDropout = 0;
        c.beta = 0.5;
        c.learningRate = 1e-2;
        c.maxSteps = 8;
        DPOTrainer t = DPOTrainer.fromConfig(c);
        t.setConsole(PreferenceRuns.QUIET);
        TrainResult r = t.train(false);
        assertThat(r.stepLosses().getFirst()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(r.stepLosses().getLast()).isLessThan(0.9 * Math.log(2));
        assertThat(dir.resolve("peft/adapter_model.safetensors")).exists();
        assertThat(dir.resolve("peft/model.safetensors")).doesNotExist();
    }

    /**
     * Interrupted after step 4 and resumed with fresh models: bitwise the same model file and step
     * losses, from the in-memory dataset and from the stream (shuffle buffer of 16).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void resumeIsBitwiseExact(boolean streaming) throws IOException {
        DPOConfig full = config("full");
        full.streaming = streaming;
        full.shuffleBufferSize = 16;
        full.maxSteps = 7;
        full.gradientAccumulationSteps = 2;
        full.perDeviceTrainBatchSize = 4;
        full.evalFile = null;
        DPOTrainer whole = DPOTrainer.fromConfig(full);
        whole.setConsole(PreferenceRuns.QUIET);
        TrainResult expected = whole.train(false);

        DPOConfig c = config("cut");
        c.streaming = streaming;
        c.shuffleBufferSize = 16;
        c.maxSteps = 7;
        c.gradientAccumulationSteps = 2;
        c.perDeviceTrainBatchSize = 4;
        c.evalFile = null;
        c.saveSteps = 2;
        DPOTrainer first = DPOTrainer.fromConfig(c);
        first.setConsole(PreferenceRuns.QUIET);
        first.addCallback(new TrainerCallback() {
            @Override
            public void onStepEnd(long step, StepResult result) {
                if (step == 4) {
                    throw new IllegalStateException("killed");
                }
            }
        });
        assertThatThrownBy(() -> first.train(false)).hasMessage("killed");
        DPOTrainer again = DPOTrainer.fromConfig(c);
        again.setConsole(PreferenceRuns.QUIET);
        TrainResult resumed = again.train(true);
        assertThat(resumed.resumedFrom()).isEqualTo(4);
        assertThat(resumed.stepLosses()).containsExactlyElementsOf(expected.stepLosses().subList(4, 7));
        assertThat(Files.readAllBytes(dir.resolve("cut/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("full/model.safetensors")));
    }

    /** Without a reference the first loss is −logσ(β·(logπ(y_c) − logπ(y_r))) of the untrained policy, not ln 2. */
    @Test
    void referenceFreeStartsAwayFromLn2() throws IOException {
        DPOConfig c = config("free");
        c.referenceFree = true;
        c.maxSteps = 1;
        c.evalFile = null;
        DPOTrainer t = DPOTrainer.fromConfig(c);
        t.setConsole(PreferenceRuns.QUIET);
        TrainResult r = t.train(false);
        double margin = PreferenceRuns.metric(r.history(), "dpo/rewards/margins", false);
        assertThat(margin).isNotCloseTo(0, within(1e-3));
        assertThat(PreferenceRuns.metric(r.history(), "dpo/rewards/chosen", false))
                .isCloseTo(0.1 * PreferenceRuns.metric(r.history(), "dpo/logps/chosen", false), within(1e-6));
    }
}
