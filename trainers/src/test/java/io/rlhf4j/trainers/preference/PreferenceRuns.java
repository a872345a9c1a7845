package io.rlhf4j.trainers.preference;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.logging.LogRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the DPO and SimPO trainer tests share: small runs of the example model on the example pairs. */
public final class PreferenceRuns {

    public static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private PreferenceRuns() {
    }

    /**
     * The run's common keys: the example model and pairs (eval on the held-out pairs), output in
     * {@code dir/run}, 8 pairs per step, a log every step, no checkpoint, no metric files.
     */
    public static <C extends BaseConfig> C configure(C c, Path dir, String run) {
        c.modelNameOrPath = TestAssets.EXAMPLE_MODEL.toString();
        c.trainFile = TestAssets.EXAMPLES.resolve("data/preference.jsonl").toString();
        c.evalFile = TestAssets.EXAMPLES.resolve("data/preference_eval.jsonl").toString();
        c.outputDir = dir.resolve(run).toString();
        c.perDeviceTrainBatchSize = 8;
        c.perDeviceEvalBatchSize = 16;
        c.learningRate = 1e-3;
        c.loggingSteps = 1;
        c.saveSteps = 1000;
        c.reportTo = new ArrayList<>(List.of("none"));
        return c;
    }

    /** {@link #configure} for learning 8 pairs by heart: those pairs only, 12 steps at a constant lr 3e-3, a log every 2. */
    public static <C extends BaseConfig> C memorize(C c, Path dir, String run) throws IOException {
        configure(c, dir, run);
        c.trainFile = firstPairs(dir, 8).toString();
        c.evalFile = null;
        c.learningRate = 3e-3;
        c.lrSchedulerType = "constant";
        c.maxSteps = 12;
        c.loggingSteps = 2;
        return c;
    }

    /** The first {@code n} pairs of the example data as a file of their own. */
    public static Path firstPairs(Path dir, int n) throws IOException {
        Path f = dir.resolve("pairs.jsonl");
        Files.write(f, Files.readAllLines(TestAssets.EXAMPLES.resolve("data/preference.jsonl")).subList(0, n));
        return f;
    }

    /** The first or last logged value of {@code name}, which must have been logged. */
    public static double metric(List<LogRecord> history, String name, boolean last) {
        List<Double> v = history.stream().filter(h -> h.metrics().containsKey(name)).map(h -> h.metrics().get(name))
                .toList();
        assertThat(v).as(name).isNotEmpty();
        return last ? v.getLast() : v.getFirst();
    }
}
