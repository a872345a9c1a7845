package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.simpo.SimPOTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j simpo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "simpo", mixinStandardHelpOptions = true,
        description = "SimPO (reference-free preference optimization) on {prompt, chosen, rejected} records.")
final class SimpoCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON SimPO config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in output_dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        SimPOConfig c = ConfigLoader.load(config, SimPOConfig.class, overrides);
        return TrainCommands.run(c, resume, () -> SimPOTrainer.fromConfig(c));
    }
}
