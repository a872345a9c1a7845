package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.ppo.PPORun;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j ppo --config run.yaml [--set key=value ...] [--resume]}. */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = "Proximal policy optimisation with a value model: sample responses to {prompt} records, "
                + "score them, update policy and value model on KL-penalised GAE advantages.")
final class PpoCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        return options.train(PPOConfig.class, PPORun::trainer);
    }
}
