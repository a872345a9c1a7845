package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.eval.EvalConfig;
import io.rlhf4j.trainers.eval.EvalResult;
import io.rlhf4j.trainers.eval.RLHFEvaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlhf4j eval --config eval.yaml [--set key=value ...]}: exit code 0 when every threshold
 * passes, {@link #GATE_FAILED} when one fails (so a pipeline can stop on a regression), 1 for a
 * failed run.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a policy: KL against a reference, reward accuracy, diversity, win rate against a "
                + "baseline; exits " + EvalCommand.GATE_FAILED + " when a threshold fails.")
final class EvalCommand implements Callable<Integer> {

    /** The exit code of a completed evaluation with a failed gate. */
    static final int GATE_FAILED = 3;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON eval config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable); "
            + "thresholds take name:value entries, e.g. --set thresholds=kl_max:0.1,win_rate_min:0.5.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        EvalConfig c = ConfigLoader.load(config, EvalConfig.class, overrides);
        EvalResult result = new RLHFEvaluator(c).run();
        return result.passed() ? 0 : GATE_FAILED;
    }
}
