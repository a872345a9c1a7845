package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.sft.SFTTrainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j sft --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "Supervised fine-tuning on {prompt, response}, {messages} or {text} records.")
final class SftCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(SFTConfig.class, SFTTrainer::fromConfig);
    }
}
