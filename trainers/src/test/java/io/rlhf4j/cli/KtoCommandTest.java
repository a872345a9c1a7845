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

/** {@code rlhf4j kto} on the example config. */
class KtoCommandTest {

    @TempDir
    Path dir;

    private static String[] args(Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new ArrayList<>(List.of("kto", "--config", ex.resolve("kto.yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "train_file=" + ex.resolve("data/kto.jsonl"),
                "--set", "eval_file=" + ex.resolve("data/kto_eval.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_steps=4", "--set", "save_steps=2",
                "--set", "eval_steps=4"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void runsTheExampleConfigAndResumes() throws IOException {
        Path out = dir.resolve("kto");
        CliRun r = CliRun.of(args(out, "--set", "kl_ema_decay=0.9", "--set", "kl_warmup_steps=2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kto: finished at step 4").contains("EMA, decay 0.9 after 2 warmup batches");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).anyMatch(l -> l.contains("\"kto/loss\"") && l.contains("\"kto/kl\"")
                && l.contains("\"kto/rewards/margins\"") && l.contains("\"kto/logps/rejected\""))
                .anyMatch(l -> l.contains("\"kto/eval_loss\"") && l.contains("\"kto/eval_rewards/chosen\""));
        assertThat(out.resolve("checkpoint-4/checkpoint.complete")).exists();
        assertThat(out.resolve("model.safetensors")).exists();

        CliRun resumed = CliRun.of(args(out, "--set", "kl_ema_decay=0.9", "--set", "kl_warmup_steps=2",
                "--set", "max_steps=6", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("checkpoint-4").contains("finished at step 6");
    }

    @Test
    void badLabelsAndKeysAreReported() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"Q\", \"completion\": \" a\", \"label\": true}\n"
                + "{\"prompt\": \"Q\", \"response\": \" b\", \"label\": \"no\"}\n");
        CliRun r = CliRun.of(args(dir.resolve("x"), "--set", "train_file=" + bad));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + bad + ":2: ").contains("field 'label' must be true/false or 1/0")
                .doesNotContain("at io.rlhf4j");
        CliRun unknown = CliRun.of(args(dir.resolve("y"), "--set", "loss_type=sigmoid"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("loss_type");
    }
}
