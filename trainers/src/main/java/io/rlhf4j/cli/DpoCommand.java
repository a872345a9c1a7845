package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.dpo.DPOTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j dpo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = "Direct preference optimization on {prompt, chosen, rejected} records.")
final class DpoCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON DPO config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in output_dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        DPOConfig c = ConfigLoader.load(config, DPOConfig.class, overrides);
        return TrainCommands.run(c, resume, () -> DPOTrainer.fromConfig(c));
    }
}
