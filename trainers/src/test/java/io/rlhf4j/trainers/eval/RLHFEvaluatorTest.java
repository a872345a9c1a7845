package io.rlhf4j.trainers.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.reward.RewardConfig;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.rm.RewardBatch;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluator end to end on the tiny example chat model and its example data. */
class RLHFEvaluatorTest {

    @TempDir
    static Path dir;

    static Path rewardDir;

    @BeforeAll
    static void rewardModel() throws IOException {
        rewardDir = dir.resolve("rm");
        RewardModel.fromBase(TestAssets.EXAMPLE_MODEL, RewardConfig.mlp(), Generator.seed(7)).savePretrained(rewardDir);
    }

    private static EvalConfig config(Path out, String... overrides) {
        Path ex = TestAssets.EXAMPLES;
        List<String> all = new ArrayList<>(List.of("model_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "reference_model=" + TestAssets.EXAMPLE_MODEL, "baseline_model=" + TestAssets.EXAMPLE_MODEL,
                "reward_model=" + rewardDir, "tokenizer_name_or_path=" + TestAssets.EXAMPLE_MODEL,
                "prompt_file=" + ex.resolve("data/grpo.jsonl"),
                "preference_file=" + ex.resolve("data/preference_eval.jsonl"), "output_dir=" + out,
                "max_prompts=4", "num_samples=3", "max_new_tokens=6", "per_device_eval_batch_size=5"));
        all.addAll(List.of(overrides));
        return ConfigLoader.load(ex.resolve("eval.yaml"), EvalConfig.class, all);
    }

    private static EvalResult evaluate(EvalConfig c) throws IOException {
        RLHFEvaluator e = new RLHFEvaluator(c);
        return e.evaluate(EvalInputs.load(c, new ArrayList<>()));
    }

    @Test
    void policyEqualToReferenceAndBaselineGivesZeroKlAndHalfWinRate() throws IOException {
        EvalResult r = evaluate(config(dir.resolve("same")));
        Map<String, Double> m = r.metrics();
        assertThat(m.keySet()).containsExactlyInAnyOrderElementsOf(EvalMetrics.allNames());
        for (String k : List.of("kl", "kl_exact_token_mean", "kl_exact_seq_mean", "kl_k1_token_mean",
                "kl_k1_seq_mean", "kl_k3_token_mean", "kl_k3_seq_mean")) {
            assertThat(m.get(k)).as(k).isZero();
        }
        assertThat(m.get("win_rate")).isEqualTo(0.5);
        assertThat(m.get("reward_policy_mean")).isEqualTo(m.get("reward_baseline_mean"));
        // 12 ties of 12: Wilson around 0.5
        WinRate w = WinRate.ofCount(6, 12);
        assertThat(m.get("win_rate_ci_low")).isEqualTo(w.low());
        assertThat(m.get("win_rate_ci_high")).isEqualTo(w.high());
        assertThat(m.get("mean_completion_length")).isBetween(1.0, 6.0);
        assertThat(m.get("distinct_1")).isBetween(0.0, 1.0);
        assertThat(m.get("edit_distance_ratio")).isBetween(0.0, 1.0);
    }

    @Test
    void evaluationIsDeterministic() throws IOException {
        EvalConfig c = config(dir.resolve("twice"));
        assertThat(evaluate(c).metrics()).isEqualTo(evaluate(c).metrics());
        // Another seed samples other completions.
        EvalConfig other = config(dir.resolve("seed"), "seed=43");
        assertThat(evaluate(other).metrics()).isNotEqualTo(evaluate(c).metrics());
    }

    @Test
    void rewardAccuracyAgreesWithTheEnsembleAccuracy() throws IOException {
        EvalConfig c = config(dir.resolve("acc"), "model_name_or_path=null", "thresholds=");
        EvalInputs in = EvalInputs.load(c, new ArrayList<>());
        EvalResult r = new RLHFEvaluator(c).evaluate(in);
        assertThat(r.metrics().keySet()).containsExactly("reward_accuracy", "reward_margin");

        RewardModelEnsemble ensemble = in.rewardModel();
        RewardBatch b = RewardBatch.collate(in.pairs(), new Collator(in.padId()));
        float[] all = ensemble.predict(b.rows().inputIds(), b.rows().attentionMask()).mean().toFloatArray();
        int n = b.pairs();
        float[] chosen = Arrays.copyOfRange(all, 0, n);
        float[] rejected = Arrays.copyOfRange(all, n, 2 * n);
        double expected = RewardModelEnsemble.accuracy(Tensor.of(chosen, n), Tensor.of(rejected, n));
        assertThat(r.metrics().get("reward_accuracy")).isEqualTo(expected);
        double margin = 0;
        for (int i = 0; i < n; i++) {
            margin += (double) chosen[i] - rejected[i];
        }
        assertThat(r.metrics().get("reward_margin")).isCloseTo(margin / n, within(1e-5));
    }

    @Test
    void aPerturbedReferenceGivesPositiveKlAndK3AtLeastZero() throws IOException {
        EvalConfig c = config(dir.resolve("kl"), "baseline_model=null", "reward_model=null", "preference_file=null",
                "thresholds=kl_max:1e-9");
        EvalInputs in = EvalInputs.load(c, new ArrayList<>());
        CausalLM reference = AutoModelForCausalLM.fromPretrained(TestAssets.EXAMPLE_MODEL);
        Map<String, Tensor> state = new HashMap<>(reference.module().stateDict());
        state.put("model.norm.weight", state.get("model.norm.weight").mul(3.0));
        reference.module().loadStateDict(state, true);
        EvalInputs perturbed = new EvalInputs(in.policy(), reference, null, null, in.prompts(), null,
                in.generation(), in.padId());
        EvalResult r = new RLHFEvaluator(c).evaluate(perturbed);
        assertThat(r.metrics().get("kl")).isPositive();
        assertThat(r.metrics().get("kl_k3_token_mean")).isPositive();
        assertThat(r.metrics().get("kl_exact_seq_mean")).isGreaterThan(r.metrics().get("kl"));
        assertThat(r.passed()).isFalse();
        assertThat(r.gates()).singleElement().satisfies(g -> assertThat(g.key()).isEqualTo("kl_max"));
    }

    @Test
    void runWritesEvalJsonAndMetricsJsonl() throws IOException {
        Path out = dir.resolve("files");
        EvalConfig c = config(out, "step=12", "thresholds=kl_max:0.01,win_rate_min:0.5");
        RLHFEvaluator e = new RLHFEvaluator(c);
        e.setConsole(new PrintStream(OutputStream.nullOutputStream()));
        EvalResult r = e.run();
        assertThat(r.passed()).isTrue();
        JsonNode json = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        assertThat(json.get("kl").asDouble()).isZero();
        assertThat(json.get("win_rate").asDouble()).isEqualTo(0.5);
        assertThat(json.get("gate/kl_max").asBoolean()).isTrue();
        assertThat(json.get("passed").asBoolean()).isTrue();
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(lines).singleElement().satisfies(l -> assertThat(l).contains("\"step\":12")
                .contains("\"eval/kl\":0.0").contains("\"eval/win_rate\":0.5").contains("\"eval/passed\":1.0"));
    }
}
