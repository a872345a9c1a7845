package io.rlhf4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.trainers.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlhf4j merge} on examples/merge.yaml, with the example model and perturbed copies of it. */
class MergeCommandTest {

    @TempDir
    Path dir;

    /** A copy of the example model with noise(seed) · 0.01 added to every parameter. */
    private Path perturbed(String name, long seed) throws IOException {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(TestAssets.EXAMPLE_MODEL);
        Generator g = Generator.seed(seed);
        Map<String, Tensor> state = new LinkedHashMap<>();
        model.stateDict().forEach((n, t) -> state.put(n, t.add(g.normal(t.shape(), 0, 0.01, DType.F32))));
        model.loadStateDict(state, true);
        Path out = dir.resolve(name);
        model.save(out);
        return out;
    }

    @Test
    void mergesTheExampleConfigWithOverridesIntoALoadableFolder() throws IOException {
        Path a = perturbed("a", 1);
        Path b = perturbed("b", 2);
        Path out = dir.resolve("merged");
        CliRun run = CliRun.of("merge", "--config", TestAssets.EXAMPLES.resolve("merge.yaml").toString(),
                "--set", "base_model=" + TestAssets.EXAMPLE_MODEL, "--set", "models=[" + a + ", " + b + "]",
                "--set", "output_dir=" + out, "--set", "method=task_arithmetic", "--set", "weights=[0.5, 0.5]");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("merged 2 model(s)").contains("by task_arithmetic").contains("wrote " + out);
        Map<String, Tensor> merged = AutoModelForCausalLM.fromPretrained(out).stateDict();
        Map<String, Tensor> sa = AutoModelForCausalLM.fromPretrained(a).stateDict();
        Map<String, Tensor> sb = AutoModelForCausalLM.fromPretrained(b).stateDict();
        Map<String, Tensor> base = AutoModelForCausalLM.fromPretrained(TestAssets.EXAMPLE_MODEL).stateDict();
        merged.forEach((name, t) -> {
            float[] x = sa.get(name).toFloatArray();
            float[] y = sb.get(name).toFloatArray();
            float[] z = base.get(name).toFloatArray();
            float[] got = t.toFloatArray();
            for (int j = 0; j < got.length; j++) {
                assertThat(got[j]).isCloseTo(z[j] + 0.5f * (x[j] - z[j]) + 0.5f * (y[j] - z[j]), within(1e-6f));
            }
        });
        assertThat(out.resolve("tokenizer.json")).as("tokenizer files come with the merge").exists();
        assertThat(Files.readString(out.resolve("config.json"))).contains("LlamaForCausalLM");
    }

    @Test
    void problemsAreReportedWithoutAStackTrace() throws IOException {
        String example = TestAssets.EXAMPLES.resolve("merge.yaml").toString();
        CliRun missing = CliRun.of("merge", "--config", example, "--set", "base_model=" + TestAssets.EXAMPLE_MODEL, "--set",
                "models=[" + dir.resolve("nope") + ", " + dir.resolve("nope") + "]");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("error:").contains("nope is not a model folder").doesNotContain("\tat ");
        CliRun badKey = CliRun.of("merge", "--config", example, "--set", "densty=0.5");
        assertThat(badKey.code()).isEqualTo(1);
        assertThat(badKey.err()).contains("unknown key 'densty'");
        Path a = perturbed("a", 1);
        CliRun slerp = CliRun.of("merge", "--config", example, "--set", "base_model=" + TestAssets.EXAMPLE_MODEL,
                "--set", "models=[" + a + ", " + a + "]", "--set", "method=slerp", "--set", "output_dir=" + dir.resolve("o"));
        assertThat(slerp.code()).isEqualTo(1);
        assertThat(slerp.err()).contains("exactly one model, got 2");
    }
}
