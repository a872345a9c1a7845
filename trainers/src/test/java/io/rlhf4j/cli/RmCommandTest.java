package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlhf4j rm} on the example config. */
class RmCommandTest {

    @TempDir
    Path dir;

    private static String[] args(Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new ArrayList<>(List.of("rm", "--config", ex.resolve("rm.yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "train_file=" + ex.resolve("data/preference.jsonl"),
                "--set", "eval_file=" + ex.resolve("data/preference_eval.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_steps=4", "--set", "save_steps=2",
                "--set", "eval_steps=4", "--set", "logging_steps=2"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void rmRunsTheExampleConfigAndResumes() throws IOException {
        Path out = dir.resolve("rm");
        CliRun r = CliRun.of(args(out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("rm: finished at step 4");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl")))
                .anyMatch(l -> l.contains("\"rm/loss\"") && l.contains("\"rm/accuracy\"") && l.contains("\"rm/margin\"")
                        && l.contains("\"rm/min_reward\"") && l.contains("\"rm/mean_reward\"") && l.contains("\"rm/max_reward\""))
                .anyMatch(l -> l.contains("\"rm/eval_loss\"") && l.contains("\"rm/eval_accuracy\""));
        assertThat(out.resolve("checkpoint-4/checkpoint.complete")).exists();
        assertThat(out.resolve("reward_config.json")).exists();
        assertThat(out.resolve("reward_head.safetensors")).exists();

        CliRun resumed = CliRun.of(args(out, "--set", "max_steps=6", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("checkpoint-4").contains("finished at step 6");
    }

    @Test
    void rmTrainsAnEnsemble() throws IOException {
        Path out = dir.resolve("ens");
        CliRun r = CliRun.of(args(out, "--set", "ensemble_size=2", "--set", "max_steps=2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("ensemble member 2 of 2").contains("rm: finished 2 members at step 2");
        assertThat(out.resolve("member-0/reward_config.json")).exists();
        assertThat(out.resolve("member-1/checkpoint-2/checkpoint.complete")).exists();
        assertThat(Files.readString(out.resolve("ensemble_eval.json"))).contains("\"ensemble_eval_accuracy\"")
                .contains("\"ensemble_eval_reward_std\"");
    }

    @Test
    void configAndResumeErrorsAreReported() {
        CliRun bad = CliRun.of(args(dir.resolve("x"), "--set", "ensemble_size=0"));
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("ensemble_size must be >= 1").doesNotContain("at io.rlhf4j");
        CliRun resume = CliRun.of(args(dir.resolve("y"), "--resume"));
        assertThat(resume.code()).isEqualTo(1);
        assertThat(resume.err()).contains("--resume: no complete checkpoint");
    }
}
