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

class PpoCommandTest {

    @TempDir
    Path dir;

    private String[] ppo(Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new ArrayList<>(List.of("ppo", "--config", ex.resolve("ppo.yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "train_file=" + ex.resolve("data/grpo.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_steps=4", "--set", "save_steps=4",
                "--set", "num_ppo_epochs=2"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void ppoRunsTheExampleConfigAndResumes() throws IOException {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(ppo(out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("finished at step 4");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).anyMatch(l -> l.contains("\"ppo/objective/kl\"") && l.contains("\"ppo/objective/scores\"")
                && l.contains("\"ppo/objective/rlhf_reward\"") && l.contains("\"ppo/policy/approxkl_avg\"")
                && l.contains("\"ppo/loss/value_avg\"") && l.contains("\"ppo/val/clipfrac_avg\""));
        assertThat(out.resolve("checkpoint-4/checkpoint.complete")).exists();
        assertThat(out.resolve("model.safetensors")).exists();
        assertThat(out.resolve("tokenizer.json")).exists();
        assertThat(out.resolve("value_model/model.safetensors")).exists();
        assertThat(out.resolve("value_model/reward_config.json")).exists();

        CliRun resumed = CliRun.of(ppo(out, "--set", "max_steps=6", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("checkpoint-4").contains("finished at step 6");
    }

    @Test
    void badKlEstimatorIsAConfigError() {
        CliRun r = CliRun.of(ppo(dir.resolve("bad"), "--set", "kl_estimator=k9"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("kl_estimator").doesNotContain("at io.rlhf4j");
    }
}
