package io.rlhf4j.trainers.logging;

import io.rlhf4j.trainers.config.BaseConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a stage's metrics go: the console (a progress bar redrawn in place on a terminal, plain
 * lines otherwise), {@code metrics.jsonl} and TensorBoard event files in the run folder (as
 * report_to says), and an in-memory history. Metric names are standardised as
 * {@code <stage>/<name>} ({@code sft/loss}, {@code dpo/rewards/margins}).
 *
 * <p>The loop calls {@link #step} after every optimizer step (throughput, bar) and {@link #log}
 * every logging_steps.
 */
public final class TrainingLogger implements AutoCloseable {

    private final String stage;
    private final long totalSteps;
    private final PrintStream console;
    private final boolean interactive;
    private final InstantSource wallClock;
    private final LongSupplier nanoTime;
    private final MetricsJsonl jsonl;
    private final TensorBoardWriter tensorboard;
    private final Throughput throughput = new Throughput();
    private final List<LogRecord> history = new ArrayList<>();
    private long lastStep;
    private boolean barShown;

    /** Which files to write besides the console. */
    public record Sinks(boolean jsonl, boolean tensorboard) {

        public static Sinks of(BaseConfig config) {
            return new Sinks(config.reportsTo("jsonl"), config.reportsTo("tensorboard"));
        }
    }

    public TrainingLogger(Path runDir, String stage, long totalSteps, Sinks sinks, PrintStream console,
            boolean interactive, InstantSource wallClock, LongSupplier nanoTime) {
        this.stage = stage;
        this.totalSteps = totalSteps;
        this.console = console;
        this.interactive = interactive;
        this.wallClock = wallClock;
        this.nanoTime = nanoTime;
        this.jsonl = sinks.jsonl() ? new MetricsJsonl(runDir) : null;
        this.tensorboard = sinks.tensorboard() ? new TensorBoardWriter(runDir, seconds()) : null;
    }

    /**
     * The logger a trainer uses: report_to from the config, System.out, a redrawn bar when the
     * JVM has a console (stdout is a terminal), the system clocks.
     */
    public static TrainingLogger forConfig(BaseConfig config, Path runDir, long totalSteps) {
        TrainingLogger logger = new TrainingLogger(runDir, config.stage(), totalSteps, Sinks.of(config), System.out,
                System.console() != null, InstantSource.system(), System::nanoTime);
        if (config.reportsTo("wandb")) {
            logger.message("report_to wandb: Weights & Biases is not available in rlhf4j; metrics go to "
                    + "metrics.jsonl and TensorBoard instead");
        }
        return logger;
    }

    /** After each optimizer step: {@code tokens} processed in it. Redraws the bar on a terminal. */
    public void step(long step, long tokens) {
        lastStep = step;
        throughput.record(nanoTime.getAsLong(), tokens);
        if (interactive) {
            console.print("\r" + bar() + "\u001b[K");
            console.flush();
            barShown = true;
        }
    }

    /** Records metrics (names without the stage prefix get it) and writes them to every sink. */
    public LogRecord log(long step, double epoch, Map<String, Double> metrics) {
        lastStep = Math.max(lastStep, step);
        Map<String, Double> named = new LinkedHashMap<>();
        metrics.forEach((k, v) -> named.put(prefixed(k), v));
        LogRecord record = new LogRecord(step, epoch, seconds(), named);
        history.add(record);
        if (jsonl != null) {
            jsonl.write(record);
        }
        if (tensorboard != null) {
            tensorboard.scalars(record.timestamp(), step, named);
        }
        if (interactive) {
            console.print("\r" + bar() + "\u001b[K");
            console.flush();
            barShown = true;
        } else {
            console.println(line(record));
        }
        return record;
    }

    /** A line of text for the user, printed above the bar. */
    public void message(String text) {
        if (barShown) {
            console.print("\r\u001b[K");
            barShown = false;
        }
        console.println(text);
    }

    public List<LogRecord> history() {
        return List.copyOf(history);
    }

    /** The metric name as stored: {@code <stage>/<name>}. */
    public String prefixed(String name) {
        return name.startsWith(stage + "/") ? name : stage + "/" + name;
    }

    private String bar() {
        double eta = totalSteps > 0 ? (totalSteps - lastStep) * throughput.secondsPerStep() : Double.NaN;
        return ProgressBar.render(stage, lastStep, totalSteps, latest("loss"), latest("learning_rate"),
                throughput.tokensPerSecond(), eta);
    }

    private String line(LogRecord r) {
        StringBuilder s = new StringBuilder(bar());
        for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
            String name = e.getKey().substring(stage.length() + 1);
            if (!name.equals("loss") && !name.equals("learning_rate")) {
                s.append(String.format(Locale.ROOT, " %s %.4g", name, e.getValue()));
            }
        }
        return s.toString();
    }

    private double latest(String name) {
        if (history.isEmpty()) {
            return Double.NaN;
        }
        Double v = history.getLast().metrics().get(stage + "/" + name);
        return v == null ? Double.NaN : v;
    }

    private double seconds() {
        return wallClock.millis() / 1000.0;
    }

    @Override
    public void close() {
        if (barShown) {
            console.println();
            barShown = false;
        }
        if (jsonl != null) {
            jsonl.close();
        }
        if (tensorboard != null) {
            tensorboard.close();
        }
    }
}
