package io.rlhf4j.trainers.rm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.data.Collator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ensembles of reward models and the stage's config rules. */
class RewardEnsembleTrainerTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    private RewardConfig config(String run) {
        RewardConfig c = new RewardConfig();
        c.modelNameOrPath = TestAssets.EXAMPLE_MODEL.toString();
        c.trainFile = TestAssets.EXAMPLES.resolve("data/preference.jsonl").toString();
        c.evalFile = TestAssets.EXAMPLES.resolve("data/preference_eval.jsonl").toString();
        c.outputDir = dir.resolve(run).toString();
        c.maxLength = 64;
        c.perDeviceTrainBatchSize = 8;
        c.perDeviceEvalBatchSize = 16;
        c.learningRate = 1e-3;
        c.maxSteps = 3;
        c.loggingSteps = 1;
        c.saveSteps = 1000;
        c.reportTo = new ArrayList<>(List.of("none"));
        return c;
    }

    private static byte[] bytes(Path p) throws IOException {
        return Files.readAllBytes(p);
    }

    /**
     * Two members: each is exactly the single run with its own seed (member 1 = a run with seed
     * 43, bitwise), their heads differ, and the ensemble's evaluation is the mean and sample
     * standard deviation of the two members' rewards, recomputed here from each saved member.
     */
    @Test
    void ensembleOfTwoTrainsIndependentMembersAndAggregates() throws IOException {
        RewardConfig c = config("ens");
        c.ensembleSize = 2;
        RewardEnsembleTrainer t = RewardEnsembleTrainer.fromConfig(c);
        t.setConsole(QUIET);
        RewardEnsembleTrainer.Result r = t.train(false);
        assertThat(r.members()).hasSize(2).allSatisfy(m -> assertThat(m.globalStep()).isEqualTo(3));
        Path out = dir.resolve("ens");
        for (int i = 0; i < 2; i++) {
            assertThat(out.resolve("member-" + i + "/reward_config.json")).exists();
        }
        assertThat(out.resolve("ensemble_eval.json")).exists();

        RewardConfig single = config("seed43");
        single.seed = 43;
        single.evalFile = null;
        RewardModelTrainer one = RewardModelTrainer.fromConfig(single);
        one.setConsole(QUIET);
        one.train(false);
        for (String f : List.of("model.safetensors", "reward_head.safetensors")) {
            assertThat(bytes(out.resolve("member-1").resolve(f))).as(f).isEqualTo(bytes(dir.resolve("seed43").resolve(f)));
        }
        assertThat(bytes(out.resolve("member-0/reward_head.safetensors")))
                .isNotEqualTo(bytes(out.resolve("member-1/reward_head.safetensors")));

        RewardModelEnsemble loaded = RewardEnsembleTrainer.load(out);
        assertThat(loaded.size()).isEqualTo(2);
        RewardInputs in = RewardInputs.load(c);
        RewardBatch b = RewardBatch.collate(in.eval(), new Collator(in.padId()));
        float[] r0;
        float[] r1;
        try (var _ = Grad.disabled()) {
            RewardModel m0 = loaded.members().get(0);
            RewardModel m1 = loaded.members().get(1);
            m0.eval();
            m1.eval();
            r0 = m0.rewards(b.rows().inputIds(), b.rows().attentionMask()).toFloatArray();
            r1 = m1.rewards(b.rows().inputIds(), b.rows().attentionMask()).toFloatArray();
        }
        int n = b.pairs();
        double wins = 0;
        double margin = 0;
        double std = 0;
        for (int i = 0; i < n; i++) {
            double chosen = (r0[i] + r1[i]) / 2.0;
            double rejected = (r0[n + i] + r1[n + i]) / 2.0;
            wins += chosen > rejected ? 1 : 0;
            margin += chosen - rejected;
            // Two members: the sample standard deviation is |a − b| / √2.
            std += (Math.abs(r0[i] - r1[i]) + Math.abs(r0[n + i] - r1[n + i])) / Math.sqrt(2);
        }
        Map<String, Double> e = r.evaluation();
        assertThat(e.get("ensemble_eval_accuracy")).isEqualTo(wins / n);
        assertThat(e.get("ensemble_eval_margin")).isCloseTo(margin / n, within(1e-5));
        assertThat(e.get("ensemble_eval_reward_std")).isCloseTo(std / (2 * n), within(1e-5)).isGreaterThan(0);

        Tensor ids = b.rows().inputIds();
        RewardModelEnsemble.Prediction p = r.ensemble().predict(ids, b.rows().attentionMask());
        assertThat(p.perMember().shape()).containsExactly(2, 2 * n);
        assertThat(p.mean().toFloatArray()[0]).isCloseTo((r0[0] + r1[0]) / 2f, within(1e-5f));
    }

    @Test
    void memberConfigsGetTheirOwnFolderAndSeed() {
        RewardConfig c = config("x");
        c.ensembleSize = 3;
        RewardConfig m2 = RewardEnsembleTrainer.memberConfig(c, 2);
        assertThat(m2.seed).isEqualTo(44);
        assertThat(Path.of(m2.outputDir)).isEqualTo(dir.resolve("x/member-2"));
        assertThat(m2.learningRate).isEqualTo(c.learningRate);
        assertThat(m2.ensembleSize).isEqualTo(3);
        c.ensembleSize = 1;
        assertThat(RewardEnsembleTrainer.memberConfig(c, 0)).isSameAs(c);
    }

    @Test
    void invalidKeysAreNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                ensemble_size: 0
                head_type: linear
                pooling: max
                label_smoothing: 0.5
                l2_coefficient: -1
                head_dropout: 1.0
                head_inner_size: -2
                use_peft: true
                """, ConfigLoader.Format.YAML, RewardConfig.class, List.of(), "rm.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rm.yaml:1: ensemble_size must be >= 1, got 0")
                .hasMessageContaining("rm.yaml:2: head_type must be one of [mlp, score], got 'linear'")
                .hasMessageContaining("rm.yaml:3: pooling must be one of [last_token, mean], got 'max'")
                .hasMessageContaining("rm.yaml:4: label_smoothing must be in [0, 0.5), got 0.5")
                .hasMessageContaining("rm.yaml:5: l2_coefficient must be >= 0, got -1")
                .hasMessageContaining("rm.yaml:6: head_dropout must be in [0, 1), got 1")
                .hasMessageContaining("rm.yaml:7: head_inner_size must be >= 0, got -2")
                .hasMessageContaining("rm.yaml:8: use_peft is not supported");
        RewardConfig ok = ConfigLoader.defaults(RewardConfig.class, List.of("ensemble_size=3", "pooling=mean",
                "head_type=score", "center_rewards_coefficient=0.01"));
        assertThat(ok.ensembleSize).isEqualTo(3);
        var head = RewardInputs.headConfig(ok);
        assertThat(head.pooling().jsonName()).isEqualTo("mean");
        assertThat(head.headType().jsonName()).isEqualTo("score");
    }

    /** disable_dropout (TRL's default) turns the MLP head's dropout off; false keeps head_dropout. */
    @Test
    void disableDropoutDecidesTheHeadDropout() {
        RewardConfig c = new RewardConfig();
        assertThat(RewardInputs.headConfig(c).headDropout()).isZero();
        c.disableDropout = false;
        c.headDropout = 0.2;
        assertThat(RewardInputs.headConfig(c).headDropout()).isEqualTo(0.2);
    }

    /** A record's margin must be a number; the error names the field. */
    @Test
    void badMarginIsReported() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\": \"Q\", \"chosen\": \" a\", \"rejected\": \" b\", \"margin\": \"big\"}\n");
        RewardConfig c = config("bad");
        c.trainFile = f.toString();
        assertThatThrownBy(() -> RewardInputs.load(c)).hasMessageContaining(f + ":1")
                .hasMessageContaining("field 'margin' must be a number, got string");
    }
}
