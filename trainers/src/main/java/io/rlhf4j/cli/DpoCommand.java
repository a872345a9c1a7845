package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.dpo.DPOTrainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j dpo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = "Direct preference optimization on {prompt, chosen, rejected} records.")
final class DpoCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(DPOConfig.class, DPOTrainer::fromConfig);
    }
}
