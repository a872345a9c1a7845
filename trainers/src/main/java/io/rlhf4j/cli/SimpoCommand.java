package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.simpo.SimPOTrainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j simpo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "simpo", mixinStandardHelpOptions = true,
        description = "SimPO (reference-free preference optimization) on {prompt, chosen, rejected} records.")
final class SimpoCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(SimPOConfig.class, SimPOTrainer::fromConfig);
    }
}
