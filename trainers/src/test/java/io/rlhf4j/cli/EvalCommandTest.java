package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.reward.RewardConfig;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    @TempDir
    static Path dir;

    static Path rewardDir;

    @BeforeAll
    static void rewardModel() throws IOException {
        rewardDir = dir.resolve("rm");
        RewardModel.fromBase(TestAssets.EXAMPLE_MODEL, RewardConfig.mlp(), Generator.seed(3)).savePretrained(rewardDir);
    }

    private static String[] eval(Path output, String... extra) {
        Path ex = TestAssets.EXAMPLES;
        List<String> args = new ArrayList<>(List.of("eval", "--config", ex.resolve("eval.yaml").toString(),
                "--set", "model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "reference_model=" + TestAssets.EXAMPLE_MODEL,
                "--set", "baseline_model=" + TestAssets.EXAMPLE_MODEL,
                "--set", "tokenizer_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "--set", "reward_model=" + rewardDir,
                "--set", "prompt_file=" + ex.resolve("data/grpo.jsonl"),
                "--set", "preference_file=" + ex.resolve("data/preference_eval.jsonl"),
                "--set", "output_dir=" + output, "--set", "max_prompts=3", "--set", "num_samples=2",
                "--set", "max_new_tokens=4"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void evalRunsTheExampleConfigAndPassesItsGates() throws IOException {
        Path out = dir.resolve("pass");
        CliRun r = CliRun.of(eval(out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("eval: kl = 0.0").contains("eval: win_rate = 0.5")
                .contains("eval: gate kl_max: kl = 0.0 <= 1.0 pass").contains("eval: passed");
        assertThat(Files.readString(out.resolve("eval.json"))).contains("\"reward_accuracy\"")
                .contains("\"gate/win_rate_min\" : true").contains("\"passed\" : true");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).singleElement()
                .satisfies(l -> assertThat(l).contains("\"eval/distinct_2\"").contains("\"eval/passed\":1.0"));
    }

    @Test
    void aFailedGateExitsWithThree() {
        CliRun r = CliRun.of(eval(dir.resolve("fail"), "--set", "thresholds=win_rate_min:0.9"));
        assertThat(r.code()).isEqualTo(EvalCommand.GATE_FAILED);
        assertThat(r.out()).contains("eval: gate win_rate_min: win_rate = 0.5 >= 0.9 FAIL").contains("eval: FAILED");
    }

    @Test
    void aConfigErrorNamesTheKey() {
        CliRun r = CliRun.of(eval(dir.resolve("bad"), "--set", "thresholds=kl_maximum:0.1"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("thresholds.kl_maximum").doesNotContain("at io.rlhf4j");
    }
}
