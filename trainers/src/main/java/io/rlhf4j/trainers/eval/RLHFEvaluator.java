package io.rlhf4j.trainers.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rlhf4j.trainers.logging.LogRecord;
import io.rlhf4j.trainers.logging.MetricsJsonl;
import io.rlhf4j.trainers.rm.EnsembleEvaluation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The specification's evaluator: KL divergence against a reference policy, reward accuracy,
 * diversity statistics and win rate between policies, for periodic gating and regression detection.
 * Each group runs when its inputs are there ({@link EvalMetrics}); sampling is seeded, so an
 * evaluation is repeatable bit for bit. {@link #run} also writes output_dir/eval.json (the flat
 * result, see {@link EvalResult#toFlatMap}) and, with report_to jsonl, one metrics.jsonl line of
 * {@code eval/<metric>} values at config {@code step}.
 */
public final class RLHFEvaluator {

    public static final String RESULT_FILE = "eval.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final EvalConfig config;
    private PrintStream console = System.out;

    public RLHFEvaluator(EvalConfig config) {
        this.config = config;
    }

    public void setConsole(PrintStream console) {
        this.console = console;
    }

    /** Loads the config's inputs, evaluates, gates and writes the result files. */
    public EvalResult run() throws IOException {
        List<String> lines = new ArrayList<>();
        EvalInputs inputs = EvalInputs.load(config, lines);
        lines.forEach(l -> console.println("eval: " + l));
        EvalResult result = evaluate(inputs);
        write(result);
        return result;
    }

    /** Evaluates already loaded inputs (no files written). */
    public EvalResult evaluate(EvalInputs in) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        int batch = config.perDeviceEvalBatchSize;
        boolean sampling = in.policy() != null && in.prompts() != null;
        List<Completion> samples = sampling
                ? new Sampler(in.generation(), config.numSamples, batch, config.seed).sample(in.policy(), in.prompts())
                : List.of();
        if (sampling && in.reference() != null) {
            metrics.putAll(KlEvaluation.evaluate(in.policy(), in.reference(), samples, in.padId(), batch));
        }
        if (sampling) {
            List<long[]> ids = samples.stream().map(Completion::ids).toList();
            metrics.put("distinct_1", Diversity.distinctN(ids, 1));
            metrics.put("distinct_2", Diversity.distinctN(ids, 2));
            metrics.put("edit_distance_ratio",
                    Diversity.meanPairwiseEditRatio(Sampler.byPrompt(samples, in.prompts().size())));
            metrics.put("mean_completion_length", Diversity.meanLength(ids));
        }
        if (in.rewardModel() != null && in.pairs() != null) {
            Map<String, Double> r = EnsembleEvaluation.evaluate(in.rewardModel(), in.pairs(), in.padId(), batch);
            metrics.put("reward_accuracy", r.get("ensemble_eval_accuracy"));
            metrics.put("reward_margin", r.get("ensemble_eval_margin"));
        }
        if (sampling && in.baseline() != null && in.rewardModel() != null) {
            List<Completion> baseline = new Sampler(in.generation(), config.numSamples, batch, config.seed)
                    .sample(in.baseline(), in.prompts());
            double[] a = CompletionRewards.score(in.rewardModel(), samples, in.padId(), batch);
            double[] b = CompletionRewards.score(in.rewardModel(), baseline, in.padId(), batch);
            WinRate w = WinRate.of(a, b);
            metrics.put("win_rate", w.rate());
            metrics.put("win_rate_ci_low", w.low());
            metrics.put("win_rate_ci_high", w.high());
            metrics.put("reward_policy_mean", mean(a));
            metrics.put("reward_baseline_mean", mean(b));
        }
        return new EvalResult(metrics, EvalResult.check(config.thresholds, metrics));
    }

    private void write(EvalResult result) throws IOException {
        Path out = Path.of(config.outputDir);
        Files.createDirectories(out);
        Path file = out.resolve(RESULT_FILE);
        Files.writeString(file, JSON.writeValueAsString(result.toFlatMap()) + "\n");
        if (config.reportsTo("jsonl")) {
            Map<String, Double> logged = new LinkedHashMap<>();
            result.metrics().forEach((k, v) -> logged.put("eval/" + k, v));
            logged.put("eval/passed", result.passed() ? 1.0 : 0.0);
            try (MetricsJsonl jsonl = new MetricsJsonl(out)) {
                jsonl.write(new LogRecord(config.step, 0.0, System.currentTimeMillis() / 1000.0, logged));
            }
        }
        result.metrics().forEach((k, v) -> console.println("eval: " + k + " = " + v));
        result.gates().forEach(g -> console.println("eval: gate " + g));
        console.println("eval: " + (result.passed() ? "passed" : "FAILED") + "; results in " + file);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }
}
