package io.rlhf4j.trainers.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.reward.ProcessRewardModel;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.PRMConfig;
import io.rlhf4j.trainers.device.StepResult;
import io.rlhf4j.trainers.logging.LogRecord;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.TrainerCallback;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PRM training on the example model's backbone and the example stepwise records. */
class PRMTrainerTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    private PRMConfig config(String run) {
        var c = new PRMConfig();
        c.modelNameOrPath = TestAssets.EXAMPLE_MODEL.toString();
        c.trainFile = TestAssets.EXAMPLES.resolve("data/prm.jsonl").toString();
        c.evalFile = TestAssets.EXAMPLES.resolve("data/prm_eval.jsonl").toString();
        c.outputDir = dir.resolve(run).toString();
        c.maxLength = 128;
        c.perDeviceTrainBatchSize = 8;
        c.perDeviceEvalBatchSize = 16;
        c.learningRate = 1e-3;
        c.loggingSteps = 1;
        c.saveSteps = 1000;
        c.reportTo = new ArrayList<>(List.of("none"));
        return c;
    }

    private static PRMTrainer trainer(PRMConfig c) throws IOException {
        PRMTrainer t = PRMTrainer.fromConfig(c);
        t.setConsole(QUIET);
        return t;
    }

    private static List<Double> values(List<LogRecord> history, String name) {
        List<Double> v = history.stream().filter(h -> h.metrics().containsKey(name)).map(h -> h.metrics().get(name))
                .toList();
        assertThat(v).as(name).isNotEmpty();
        return v;
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** Step accuracy and loss improve over three epochs; the saved folder loads and scores like the trained model. */
    @Test
    void stepAccuracyRisesAndTheModelSaves() throws IOException {
        PRMConfig c = config("run");
        c.numTrainEpochs = 3.0;
        c.evalSteps = 6.0;
        PRMTrainer t = trainer(c);
        TrainResult result = t.train(false);
        List<Double> acc = values(result.history(), "prm/accuracy");
        List<Double> loss = values(result.history(), "prm/loss");
        List<Double> evalAcc = values(result.history(), "prm/eval_accuracy");
        // 18 steps (3 epochs of 6): the last epoch's mean step accuracy and loss beat the first's.
        assertThat(acc).hasSize(18);
        assertThat(mean(acc.subList(12, 18))).isGreaterThan(mean(acc.subList(0, 6)));
        assertThat(mean(loss.subList(12, 18))).isLessThan(mean(loss.subList(0, 6)) - 0.05);
        assertThat(evalAcc.getLast()).isGreaterThan(0.5);
        assertThat(values(result.history(), "prm/eval_loss").getLast()).isFinite();

        ProcessRewardModel back = ProcessRewardModel.fromPretrained(Path.of(c.outputDir));
        Tensor ids = Tensor.ofLongs(new long[] {5, 6, 7, 8}, 1, 4);
        Tensor mask = Tensor.ofLongs(new long[] {1, 1, 1, 1}, 1, 4);
        try (var _ = Grad.disabled()) {
            t.model().eval();
            assertThat(back.logits(ids, mask).toDoubleArray())
                    .containsExactly(t.model().logits(ids, mask).toDoubleArray());
        }
        assertThat(Files.exists(Path.of(c.outputDir, "tokenizer.json"))).isTrue();
    }

    /** The loss of a step is the cross-entropy over every labelled step of the batch, summed and divided by their count. */
    @Test
    void firstStepLossIsTheMeanCrossEntropyOverLabelledSteps() throws IOException {
        PRMConfig c = config("one");
        c.maxSteps = 1;
        c.evalFile = null;
        c.perDeviceTrainBatchSize = 48;
        PRMTrainer t = trainer(c);
        double[] expected = new double[1];
        // Before the step: the model's own cross-entropy over every labelled position, computed from its logits.
        var data = io.rlhf4j.trainers.data.RecordEncoder.readAll(Path.of(c.trainFile),
                new io.rlhf4j.trainers.data.PRMEncoder(io.rlhf4j.nn.tokenizer.HfTokenizer.load(TestAssets.EXAMPLE_MODEL),
                        "\n", 128, null, false), "text", false, new io.rlhf4j.trainers.data.DatasetStats(), "PRM");
        double sum = 0;
        long n = 0;
        try (var _ = Grad.disabled()) {
            for (var e : data) {
                Tensor ids = Tensor.ofLongs(e.inputIds(), 1, e.inputIds().length);
                long[] ones = new long[e.inputIds().length];
                java.util.Arrays.fill(ones, 1);
                double[] l = t.model().logits(ids, Tensor.ofLongs(ones, 1, ones.length)).toDoubleArray();
                for (int p = 0; p < e.labels().length; p++) {
                    if (e.labels()[p] >= 0) {
                        double l0 = l[2 * p];
                        double l1 = l[2 * p + 1];
                        double m = Math.max(l0, l1);
                        double lse = m + Math.log(Math.exp(l0 - m) + Math.exp(l1 - m));
                        sum += lse - (e.labels()[p] == 1 ? l1 : l0);
                        n++;
                    }
                }
            }
        }
        expected[0] = sum / n;
        TrainResult r = t.train(false);
        assertThat(r.stepLosses().getFirst()).isCloseTo(expected[0], within(1e-5));
    }

    /** examples/prm.yaml loads as a PRMConfig; streaming the same file trains on it and logs step accuracy. */
    @Test
    void exampleConfigAndStreaming() throws IOException {
        PRMConfig example = io.rlhf4j.trainers.config.ConfigLoader.load(TestAssets.EXAMPLES.resolve("prm.yaml"),
                PRMConfig.class, List.of());
        assertThat(example.stepSeparator).isEqualTo("\n");
        assertThat(example.trainOnLastStepOnly).isFalse();
        assertThat(example.maxLength).isEqualTo(128);
        PRMConfig c = config("stream");
        c.streaming = true;
        c.maxSteps = 2;
        c.evalFile = null;
        TrainResult r = trainer(c).train(false);
        assertThat(r.globalStep()).isEqualTo(2);
        assertThat(values(r.history(), "prm/accuracy")).allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
        assertThat(r.stepLosses()).allSatisfy(l -> assertThat(l).isFinite().isPositive());
    }

    /** Interrupted after step 3 and resumed with a fresh trainer: bitwise the same model file and step losses. */
    @Test
    void resumeIsBitwiseExact() throws IOException {
        var full = config("full");
        full.maxSteps = 5;
        full.gradientAccumulationSteps = 2;
        full.perDeviceTrainBatchSize = 4;
        full.evalFile = null;
        TrainResult expected = trainer(full).train(false);

        var c = config("cut");
        c.maxSteps = 5;
        c.gradientAccumulationSteps = 2;
        c.perDeviceTrainBatchSize = 4;
        c.evalFile = null;
        c.saveSteps = 3;
        PRMTrainer first = trainer(c);
        first.addCallback(new TrainerCallback() {
            @Override
            public void onStepEnd(long step, StepResult result) {
                if (step == 4) {
                    throw new IllegalStateException("killed");
                }
            }
        });
        assertThatThrownBy(() -> first.train(false)).hasMessage("killed");
        TrainResult resumed = trainer(c).train(true);
        assertThat(resumed.resumedFrom()).isEqualTo(3);
        assertThat(resumed.stepLosses()).containsExactlyElementsOf(expected.stepLosses().subList(3, 5));
        assertThat(Files.readAllBytes(dir.resolve("cut").resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("full").resolve("model.safetensors")));
    }
}
