package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    private String[] sft(Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new java.util.ArrayList<>(List.of("sft", "--config", ex.resolve("sft.yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "train_file=" + ex.resolve("data/sft.jsonl"),
                "--set", "eval_file=" + ex.resolve("data/sft_eval.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_steps=6", "--set", "save_steps=3"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void sftRunsTheExampleConfigEndToEnd() throws IOException {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(sft(out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("finished at step 6");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).anyMatch(l -> l.contains("\"sft/loss\"")).anyMatch(l -> l.contains("\"sft/eval_loss\""))
                .anyMatch(l -> l.contains("\"sft/grad_norm\"") && l.contains("\"sft/learning_rate\"")
                        && l.contains("\"sft/tokens_per_second\""));
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("events.out.tfevents."))
                    .contains("checkpoint-3", "checkpoint-6", "model.safetensors", "config.json", "tokenizer.json");
        }
        assertThat(out.resolve("checkpoint-6/checkpoint.complete")).exists();

        CliRun resumed = CliRun.of(sft(out, "--set", "max_steps=9", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("checkpoint-6").contains("finished at step 9");
    }

    @Test
    void resumeWithoutCheckpointAndBadConfigAreReported() {
        CliRun r = CliRun.of(sft(dir.resolve("empty"), "--resume"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: --resume: no complete checkpoint in");
        CliRun bad = CliRun.of(sft(dir.resolve("x"), "--set", "learning_rate=-1"));
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("--set learning_rate=-1").doesNotContain("at io.rlhf4j");
        CliRun usage = CliRun.of("sft");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required option: '--config=FILE'");
    }

    @Test
    void inspectListsTensorsAndConfig() {
        CliRun r = CliRun.of("inspect", TestAssets.EXAMPLE_MODEL.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"model_type\": \"llama\"").contains("20 tensors, 98624 elements")
                .containsPattern("model\\.embed_tokens\\.weight\\s+F32\\s+\\[384, 64\\]");
        CliRun file = CliRun.of("inspect", TestAssets.EXAMPLE_MODEL.resolve("model.safetensors").toString());
        assertThat(file.out()).contains("model.norm.weight").doesNotContain("model_type");
        assertThat(CliRun.of("inspect", dir.resolve("missing").toString()).err()).contains("does not exist");
    }
}
