package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.KTOConfig;
import io.rlhf4j.trainers.kto.KTOTrainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j kto --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "kto", mixinStandardHelpOptions = true,
        description = "Kahneman-Tversky optimization on unpaired {prompt, completion|response, label} records.")
final class KtoCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(KTOConfig.class, KTOTrainer::fromConfig);
    }
}
