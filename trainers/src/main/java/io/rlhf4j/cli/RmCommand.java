package io.rlhf4j.cli;

import io.rlhf4j.trainers.checkpoint.CheckpointManager;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.rm.RewardEnsembleTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rlhf4j rm --config run.yaml [--set key=value ...] [--resume]}: the shared training options,
 * but an ensemble run has one checkpoint folder per member, so the run is its own.
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Reward model training (Bradley-Terry, optional ensemble) on {prompt, chosen, rejected} records.")
final class RmCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        RewardConfig c = ConfigLoader.load(options.config, RewardConfig.class, options.overrides);
        if (options.resume && !hasCheckpoint(c)) {
            throw new Main.UserError("--resume: no complete checkpoint in " + Path.of(c.outputDir).toAbsolutePath()
                    + (c.ensembleSize > 1 ? " or its member-<i> folders" : "") + "; run without --resume to start fresh");
        }
        var result = RewardEnsembleTrainer.fromConfig(c).train(options.resume);
        long step = result.members().getLast().globalStep();
        System.out.println(c.ensembleSize == 1 ? "rm: finished at step " + step + "; model saved to " + c.outputDir
                : "rm: finished " + c.ensembleSize + " members at step " + step + "; models saved to " + c.outputDir
                        + "/member-<i>");
        return 0;
    }

    private static boolean hasCheckpoint(RewardConfig c) throws IOException {
        for (int i = 0; i < c.ensembleSize; i++) {
            Path dir = Path.of(RewardEnsembleTrainer.memberConfig(c, i).outputDir);
            if (new CheckpointManager(dir, null).latest().isPresent()) {
                return true;
            }
        }
        return false;
    }
}
