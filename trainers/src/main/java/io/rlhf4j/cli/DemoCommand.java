package io.rlhf4j.cli;

import io.rlhf4j.trainers.pipeline.DemoPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j demo [--output-dir DIR]}: the built-in pipeline ({@link DemoPipeline}). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run SFT -> reward model -> GRPO -> eval on the tiny example model and the arithmetic task, "
                + "printing the held-out task accuracy before and after each stage (a few minutes on a laptop CPU).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "runs/demo", description = "Default: ${DEFAULT-VALUE}.")
    String outputDir;

    @Override
    public Integer call() throws Exception {
        for (String input : DemoPipeline.INPUTS) {
            if (!Files.exists(Path.of(input))) {
                throw new Main.UserError("demo: " + input + " not found; run the demo from the rlhf4j folder");
            }
        }
        return PipelineCommand.run(DemoPipeline.config(outputDir), false);
    }
}
