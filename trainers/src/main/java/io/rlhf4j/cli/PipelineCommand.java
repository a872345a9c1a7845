package io.rlhf4j.cli;

import io.rlhf4j.trainers.pipeline.PipelineConfig;
import io.rlhf4j.trainers.pipeline.RLHFOrchestrator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlhf4j pipeline --config pipeline.yaml [--set key=value ...] [--resume]}: exit code 0 when
 * every stage ran, {@link EvalCommand#GATE_FAILED} when a failed gate stopped the pipeline.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Run stages in order (sft, rm, prm, dpo, simpo, kto, grpo, ppo, eval), each starting from the previous "
                + "policy; history in <output_dir>/pipeline_history.json.")
final class PipelineCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Pipeline YAML.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override output_dir, seed, accuracy_file, "
            + "or a stage's key as stages.<name>.<key>=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Skip completed stages; continue the interrupted one from its checkpoint.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        return run(PipelineConfig.load(config, overrides), resume);
    }

    static int run(PipelineConfig pipeline, boolean resume) throws Exception {
        return new RLHFOrchestrator(pipeline).run(resume).passed() ? 0 : EvalCommand.GATE_FAILED;
    }
}
