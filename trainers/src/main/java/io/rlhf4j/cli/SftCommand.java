package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.sft.SFTTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j sft --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "Supervised fine-tuning on {prompt, response}, {messages} or {text} records.")
final class SftCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON SFT config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in output_dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        SFTConfig c = ConfigLoader.load(config, SFTConfig.class, overrides);
        return TrainCommands.run(c, resume, () -> SFTTrainer.fromConfig(c));
    }
}
