package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.grpo.GRPORun;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j grpo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "grpo", mixinStandardHelpOptions = true,
        description = "Group relative policy optimisation: sample completions of {prompt} records online, "
                + "score them with reward functions, update on group-relative advantages.")
final class GrpoCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(GRPOConfig.class, GRPORun::trainer);
    }
}
