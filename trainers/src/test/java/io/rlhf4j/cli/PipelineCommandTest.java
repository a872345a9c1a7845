package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.pipeline.DemoPipeline;
import io.rlhf4j.trainers.pipeline.PipelineConfig;
import io.rlhf4j.trainers.pipeline.PipelineState;
import io.rlhf4j.trainers.pipeline.StageResolver;
import io.rlhf4j.trainers.pipeline.StageSpec;
import io.rlhf4j.trainers.pipeline.StageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineCommandTest {

    @TempDir
    Path dir;

    private Path pipelineFile() throws IOException {
        Path ex = TestAssets.EXAMPLES;
        String yaml = """
                output_dir: %s
                seed: 1
                accuracy_file: %s
                accuracy_max_new_tokens: 4
                stages:
                  - name: sft
                    type: sft
                    config: %s
                    set: {model_name_or_path: %s, train_file: %s, eval_file: null, max_steps: 3, report_to: [none]}
                """.formatted(dir.resolve("out"), ex.resolve("data/arithmetic_eval.jsonl"), ex.resolve("sft.yaml"),
                TestAssets.EXAMPLE_MODEL, ex.resolve("data/sft.jsonl"));
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void pipelineRunsWithOverridesAndReportsEachStage() throws IOException {
        CliRun r = CliRun.of("pipeline", "--config", pipelineFile().toString(), "--set", "stages.sft.max_steps=2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pipeline: [1/1] sft (sft): 2 steps").contains("task accuracy 0.000 -> ")
                .contains("pipeline: done");
        assertThat(dir.resolve("out/pipeline_history.json")).exists();
        assertThat(dir.resolve("out/sft/model.safetensors")).exists();
    }

    @Test
    void configErrorsAndAMissingHistoryAreUserErrors() throws IOException {
        CliRun bad = CliRun.of("pipeline", "--config", pipelineFile().toString(), "--set", "stages.sft.max_stepz=2");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("stage 'sft' (sft)").contains("max_stepz").doesNotContain("at io.rlhf4j");
        CliRun resume = CliRun.of("pipeline", "--config", pipelineFile().toString(), "--resume");
        assertThat(resume.code()).isEqualTo(1);
        assertThat(resume.err()).contains("--resume: no pipeline_history.json");
    }

    @Test
    void theDemoChainsSftRmGrpoAndAGatedEval() {
        PipelineConfig demo = DemoPipeline.config("runs/demo");
        assertThat(demo.stages()).extracting(StageSpec::type)
                .containsExactly(StageType.SFT, StageType.RM, StageType.GRPO, StageType.EVAL);
        assertThat(demo.accuracyFile()).isEqualTo("examples/data/arithmetic_eval.jsonl");
        for (String input : DemoPipeline.INPUTS) {
            assertThat(TestAssets.ROOT.resolve(input)).exists();
        }
        PipelineState state = new PipelineState();
        state.policyTrained("sft", "examples/models/tiny-chat", "runs/demo/sft");
        state.rewardModelTrained("rm", "runs/demo/rm");
        state.policyTrained("grpo", "runs/demo/sft", "runs/demo/grpo");
        StageSpec eval = demo.stages().get(3);
        assertThat(eval.onFail()).isEqualTo(StageSpec.ROLLBACK);
        assertThat(StageResolver.overrides(demo, eval, state)).contains("model_name_or_path=runs/demo/grpo",
                "reference_model=runs/demo/sft", "reward_model=runs/demo/rm", "thresholds=kl_max:1.0,distinct_1_min:0.05");
    }
}
