package io.rlhf4j.cli;

import io.rlhf4j.trainers.checkpoint.CheckpointManager;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.grpo.GRPORun;
import io.rlhf4j.trainers.loop.TrainResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j grpo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "grpo", mixinStandardHelpOptions = true,
        description = "Group relative policy optimisation: sample completions of {prompt} records online, "
                + "score them with reward functions, update on group-relative advantages.")
final class GrpoCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON GRPO config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in output_dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        GRPOConfig c = ConfigLoader.load(config, GRPOConfig.class, overrides);
        if (resume && new CheckpointManager(Path.of(c.outputDir), null).latest().isEmpty()) {
            throw new Main.UserError("--resume: no complete checkpoint in " + Path.of(c.outputDir).toAbsolutePath()
                    + "; run without --resume to start fresh");
        }
        TrainResult result = GRPORun.train(c, resume);
        System.out.println("grpo: finished at step " + result.globalStep() + "; model saved to " + c.outputDir);
        return 0;
    }
}
