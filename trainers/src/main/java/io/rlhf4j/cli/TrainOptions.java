package io.rlhf4j.cli;

import io.rlhf4j.trainers.checkpoint.CheckpointManager;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every training subcommand takes ({@code --config FILE [--set key=value ...] [--resume]},
 * a picocli mixin) and the run they share: load the config, check --resume, train, report.
 */
final class TrainOptions {

    /** Builds a stage's trainer from its loaded config (loading model and data). */
    @FunctionalInterface
    interface TrainerFactory<C extends BaseConfig> {
        Trainer<?, ?, ?, ?> create(C config) throws IOException;
    }

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON config of the stage.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in output_dir.")
    boolean resume;

    <C extends BaseConfig> int train(Class<C> type, TrainerFactory<C> factory) throws IOException {
        C c = ConfigLoader.load(config, type, overrides);
        if (resume && new CheckpointManager(Path.of(c.outputDir), null).latest().isEmpty()) {
            throw new Main.UserError("--resume: no complete checkpoint in " + Path.of(c.outputDir).toAbsolutePath()
                    + "; run without --resume to start fresh");
        }
        TrainResult result = factory.create(c).train(resume);
        System.out.println(c.stage() + ": finished at step " + result.globalStep() + "; model saved to " + c.outputDir);
        return 0;
    }
}
