package io.rlhf4j.cli;

import io.rlhf4j.trainers.checkpoint.CheckpointManager;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.rm.RewardEnsembleTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j rm --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Reward model training (Bradley-Terry, optional ensemble) on {prompt, chosen, rejected} records.")
final class RmCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML or JSON reward model config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint(s) in output_dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        RewardConfig c = ConfigLoader.load(config, RewardConfig.class, overrides);
        if (resume && !hasCheckpoint(c)) {
            throw new Main.UserError("--resume: no complete checkpoint in " + Path.of(c.outputDir).toAbsolutePath()
                    + (c.ensembleSize > 1 ? " or its member-<i> folders" : "") + "; run without --resume to start fresh");
        }
        var result = RewardEnsembleTrainer.fromConfig(c).train(resume);
        long step = result.members().getLast().globalStep();
        System.out.println(c.ensembleSize == 1 ? "rm: finished at step " + step + "; model saved to " + c.outputDir
                : "rm: finished " + c.ensembleSize + " members at step " + step + "; models saved to " + c.outputDir
                        + "/member-<i>");
        return 0;
    }

    private static boolean hasCheckpoint(RewardConfig c) throws java.io.IOException {
        for (int i = 0; i < c.ensembleSize; i++) {
            Path dir = Path.of(RewardEnsembleTrainer.memberConfig(c, i).outputDir);
            if (new CheckpointManager(dir, null).latest().isPresent()) {
                return true;
            }
        }
        return false;
    }
}
