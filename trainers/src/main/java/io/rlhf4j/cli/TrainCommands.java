package io.rlhf4j.cli;

import io.rlhf4j.trainers.checkpoint.CheckpointManager;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.Trainer;
import java.io.IOException;
import java.nio.file.Path;

/** What the training subcommands share: the --resume check, the run, the closing line. */
final class TrainCommands {

    /** Builds a trainer (loading model and data). */
    @FunctionalInterface
    interface TrainerFactory {
        Trainer<?, ?, ?> create() throws IOException;
    }

    private TrainCommands() {
    }

    static int run(BaseConfig c, boolean resume, TrainerFactory factory) throws IOException {
        if (resume && new CheckpointManager(Path.of(c.outputDir), null).latest().isEmpty()) {
            throw new Main.UserError("--resume: no complete checkpoint in " + Path.of(c.outputDir).toAbsolutePath()
                    + "; run without --resume to start fresh");
        }
        TrainResult result = factory.create().train(resume);
        System.out.println(c.stage() + ": finished at step " + result.globalStep() + "; model saved to " + c.outputDir);
        return 0;
    }
}
