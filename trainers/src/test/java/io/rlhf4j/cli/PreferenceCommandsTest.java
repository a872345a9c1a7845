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

/** {@code rlhf4j dpo} and {@code rlhf4j simpo} on the example configs. */
class PreferenceCommandsTest {

    @TempDir
    Path dir;

    private static String[] args(String stage, Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new ArrayList<>(List.of(stage, "--config", ex.resolve(stage + ".yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "train_file=" + ex.resolve("data/preference.jsonl"),
                "--set", "eval_file=" + ex.resolve("data/preference_eval.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_steps=4", "--set", "save_steps=2",
                "--set", "eval_steps=4"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void dpoRunsTheExampleConfigAndResumes() throws IOException {
        Path out = dir.resolve("dpo");
        CliRun r = CliRun.of(args("dpo", out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("dpo: finished at step 4");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).anyMatch(l -> l.contains("\"dpo/loss\"") && l.contains("\"dpo/rewards/accuracies\"")
                && l.contains("\"dpo/rewards/margins\"") && l.contains("\"dpo/logps/rejected\""))
                .anyMatch(l -> l.contains("\"dpo/eval_loss\"") && l.contains("\"dpo/eval_rewards/chosen\""));
        assertThat(out.resolve("checkpoint-4/checkpoint.complete")).exists();
        assertThat(out.resolve("model.safetensors")).exists();

        CliRun resumed = CliRun.of(args("dpo", out, "--set", "max_steps=6", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("checkpoint-4").contains("finished at step 6");
    }

    @Test
    void simpoRunsTheExampleConfig() throws IOException {
        Path out = dir.resolve("simpo");
        CliRun r = CliRun.of(args("simpo", out, "--set", "loss_type=simpo"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("simpo: finished at step 4");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl")))
                .anyMatch(l -> l.contains("\"simpo/loss\"") && l.contains("\"simpo/rewards/chosen\""));
    }

    @Test
    void dpoListOverrideAndBadDataAreReported() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"Q\", \"chosen\": \" a\", \"rejected\": \" b\"}\n{\"prompt\": \"Q\"}\n");
        CliRun r = CliRun.of(args("dpo", dir.resolve("x"), "--set", "train_file=" + bad, "--set", "loss_type=sigmoid,ipo"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + bad + ":2: ").contains("missing field 'chosen'")
                .doesNotContain("at io.rlhf4j");
        CliRun unknown = CliRun.of(args("dpo", dir.resolve("y"), "--set", "loss_type=nope"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("loss_type");
    }
}
