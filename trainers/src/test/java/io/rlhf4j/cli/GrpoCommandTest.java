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

class GrpoCommandTest {

    @TempDir
    Path dir;

    private String[] grpo(Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new ArrayList<>(List.of("grpo", "--config", ex.resolve("grpo.yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "train_file=" + ex.resolve("data/grpo.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_steps=4", "--set", "save_steps=2"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void grpoRunsTheExampleConfigAndResumes() throws IOException {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(grpo(out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("finished at step 4");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).anyMatch(l -> l.contains("\"grpo/loss\"") && l.contains("\"grpo/reward\"")
                && l.contains("\"grpo/reward_std\"") && l.contains("\"grpo/rewards/exact_match/mean\"")
                && l.contains("\"grpo/rewards/format/mean\"") && l.contains("\"grpo/kl\"")
                && l.contains("\"grpo/completions/mean_length\"") && l.contains("\"grpo/clip_ratio/region_mean\""));
        assertThat(out.resolve("checkpoint-4/checkpoint.complete")).exists();
        assertThat(out.resolve("model.safetensors")).exists();
        assertThat(out.resolve("tokenizer.json")).exists();

        CliRun resumed = CliRun.of(grpo(out, "--set", "max_steps=6", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("checkpoint-4").contains("finished at step 6");
    }

    @Test
    void unknownRewardFunctionIsAConfigError() {
        CliRun r = CliRun.of(grpo(dir.resolve("bad"), "--set", "reward_funcs=nope", "--set", "reward_weights=1.0"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("unknown reward function 'nope'").doesNotContain("at io.rlhf4j");
    }
}
