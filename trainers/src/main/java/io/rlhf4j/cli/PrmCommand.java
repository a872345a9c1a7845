package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.PRMConfig;
import io.rlhf4j.trainers.prm.PRMTrainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j prm --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "prm", mixinStandardHelpOptions = true,
        description = "Process reward model training (step-wise token classification) on {prompt, completions, labels}"
                + " records.")
final class PrmCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(PRMConfig.class, PRMTrainer::fromConfig);
    }
}
