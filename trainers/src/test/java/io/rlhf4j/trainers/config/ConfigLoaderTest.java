package io.rlhf4j.trainers.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.trainers.config.ConfigLoader.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private static SFTConfig yaml(String text, String... overrides) {
        return ConfigLoader.parse(text, Format.YAML, SFTConfig.class, List.of(overrides), "run.yaml");
    }

    @Test
    void readsTrlKeyNamesFromYaml() {
        SFTConfig c = yaml("""
                learning_rate: 5.0e-5
                per_device_train_batch_size: 4
                gradient_accumulation_steps: 2
                lr_scheduler_type: cosine
                warmup_ratio: 0.1
                bf16: false
                report_to: tensorboard
                max_length: 256
                completion_only_loss: false
                save_total_limit: 2
                """);
        assertThat(c.learningRate).isEqualTo(5.0e-5);
        assertThat(c.perDeviceTrainBatchSize).isEqualTo(4);
        assertThat(c.gradientAccumulationSteps).isEqualTo(2);
        assertThat(c.lrSchedulerType).isEqualTo("cosine");
        assertThat(c.warmupRatio).isEqualTo(0.1);
        assertThat(c.bf16).isFalse();
        assertThat(c.reportTo).containsExactly("tensorboard");
        assertThat(c.maxLength).isEqualTo(256);
        assertThat(c.masksPrompt()).isFalse();
        assertThat(c.saveTotalLimit).isEqualTo(2);
        assertThat(c.seed).isEqualTo(42);
    }

    @Test
    void stageDefaultsFollowTrl() {
        assertThat(new SFTConfig().learningRate).isEqualTo(2e-5);
        assertThat(new SFTConfig().loggingSteps).isEqualTo(10);
        DPOConfig dpo = new DPOConfig();
        assertThat(dpo.beta).isEqualTo(0.1);
        assertThat(dpo.lossType).containsExactly("sigmoid");
        assertThat(dpo.learningRate).isEqualTo(1e-6);
        GRPOConfig grpo = new GRPOConfig();
        assertThat(grpo.numGenerations).isEqualTo(8);
        assertThat(grpo.epsilon).isEqualTo(0.2);
        assertThat(grpo.scaleRewards).isEqualTo("group");
        SimPOConfig simpo = new SimPOConfig();
        assertThat(simpo.lossType).isEqualTo("simpo");
        assertThat(simpo.cpoAlpha).isZero();
        assertThat(simpo.simpoGamma).isEqualTo(0.5);
        assertThat(new KTOConfig().desirableWeight).isEqualTo(1.0);
        PPOConfig ppo = new PPOConfig();
        assertThat(ppo.lam).isEqualTo(0.95);
        assertThat(ppo.vfCoef).isEqualTo(0.1);
        assertThat(new RewardConfig().learningRate).isEqualTo(1e-4);
    }

    @Test
    void overridesAreTypedByTheField() {
        SFTConfig c = yaml("learning_rate: 1.0e-4\n", "learning_rate=3e-4", "max_steps=100", "bf16=true",
                "report_to=jsonl, tensorboard", "run_name=demo", "save_total_limit=null", "max_length=null");
        assertThat(c.learningRate).isEqualTo(3e-4);
        assertThat(c.maxSteps).isEqualTo(100);
        assertThat(c.bf16).isTrue();
        assertThat(c.reportTo).containsExactly("jsonl", "tensorboard");
        assertThat(c.runName).isEqualTo("demo");
        assertThat(c.saveTotalLimit).isNull();
        assertThat(c.maxLength).isNull();
    }

    @Test
    void listOverrideForDoubles() {
        DPOConfig c = ConfigLoader.defaults(DPOConfig.class, List.of("loss_type=sigmoid,ipo", "loss_weights=1,0.5"));
        assertThat(c.lossType).containsExactly("sigmoid", "ipo");
        assertThat(c.lossWeights).containsExactly(1.0, 0.5);
    }

    @Test
    void overrideErrorsNameTheArgument() {
        assertThatThrownBy(() -> yaml("", "learning_rate=abc"))
                .hasMessage("--set learning_rate=abc: learning_rate takes a number, got 'abc'");
        assertThatThrownBy(() -> yaml("", "bf16=yes"))
                .hasMessage("--set bf16=yes: bf16 takes true or false, got 'yes'");
        assertThatThrownBy(() -> yaml("", "max_steps=2.5"))
                .hasMessage("--set max_steps=2.5: max_steps takes a whole number, got '2.5'");
        assertThatThrownBy(() -> yaml("", "learnig_rate=1"))
                .hasMessage("--set learnig_rate=1: unknown key 'learnig_rate' (did you mean 'learning_rate'?)");
        assertThatThrownBy(() -> yaml("", "noequals")).hasMessage("--set noequals: expected key=value");
    }

    @Test
    void unknownKeyInFileNamesLineAndSuggestion() {
        assertThatThrownBy(() -> yaml("""
                learning_rate: 1.0e-4
                per_device_train_batchsize: 4
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("run.yaml:2: unknown key 'per_device_train_batchsize' (did you mean "
                        + "'per_device_train_batch_size'?)");
    }

    @Test
    void unknownKeyFarFromAllListsKnownKeys() {
        assertThatThrownBy(() -> yaml("zzzzzzzzzzzzzzzzzzzzzz: 1\n"))
                .hasMessageStartingWith("run.yaml:1: unknown key 'zzzzzzzzzzzzzzzzzzzzzz'; known keys are [")
                .hasMessageContaining("learning_rate");
    }

    @Test
    void wrongTypeInFileNamesLineAndField() {
        assertThatThrownBy(() -> yaml("seed: 1\nlearning_rate: fast\n"))
                .hasMessage("run.yaml:2: learning_rate takes a number, got 'fast'");
        assertThatThrownBy(() -> yaml("max_steps: 2.5\n"))
                .hasMessageStartingWith("run.yaml:1: max_steps takes a whole number");
    }

    @Test
    void yamlSyntaxErrorNamesLineAndColumn() {
        assertThatThrownBy(() -> yaml("learning_rate: 1\nrun_name: \"unterminated\nseed: 3\n"))
                .hasMessageStartingWith("run.yaml:")
                .hasMessageContaining("YAML syntax error");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> yaml("a: b: c\n"));
        assertThat(e.getMessage()).startsWith("run.yaml:1:").contains("YAML syntax error");
    }

    @Test
    void duplicateKeyIsAnError() {
        assertThatThrownBy(() -> yaml("seed: 1\nseed: 2\n"))
                .hasMessageStartingWith("run.yaml:2:")
                .hasMessageContaining("seed");
    }

    @Test
    void validationNamesFieldRangeAndWhereItWasSet() {
        assertThatThrownBy(() -> yaml("seed: 3\nlearning_rate: -1\nsave_total_limit: 0\n", "adam_beta1=1"))
                .hasMessage("""
                        invalid SFTConfig (run.yaml):
                          run.yaml:2: learning_rate must be > 0, got -1
                          --set adam_beta1=1: adam_beta1 must be in [0, 1), got 1
                          run.yaml:3: save_total_limit must be >= 1, got 0""");
    }

    /** A bad reward function fails when the config loads (a pipeline checks every stage's config first). */
    @Test
    void rewardFunctionsAreCheckedWithTheConfig() {
        assertThatThrownBy(() -> ConfigLoader.defaults(GRPOConfig.class, List.of("reward_funcs=exact_match,length:0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("reward_funcs")
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> ConfigLoader.defaults(PPOConfig.class, List.of("reward_funcs=nope")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown reward function 'nope'");
    }

    /** Keys a stage would silently ignore are refused, naming the key. */
    @Test
    void onlineStagesRefuseKeysTheyDoNotRead() {
        assertThatThrownBy(() -> ConfigLoader.defaults(PPOConfig.class, List.of("streaming=true", "max_steps=5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("streaming");
        assertThatThrownBy(() -> ConfigLoader.defaults(GRPOConfig.class, List.of("eval_file=e.jsonl")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("eval_file");
    }

    @Test
    void stageRulesAreChecked() {
        assertThatThrownBy(() -> ConfigLoader.defaults(SFTConfig.class, List.of("packing=true")))
                .hasMessageContaining("--set packing=true: packing is not supported yet: set packing: false");
        assertThatThrownBy(() -> ConfigLoader.defaults(DPOConfig.class, List.of("loss_type=sigmoidd")))
                .hasMessageContaining("loss_type must be one of");
        assertThatThrownBy(() -> ConfigLoader.defaults(GRPOConfig.class, List.of("per_device_train_batch_size=6")))
                .hasMessageContaining("must be divisible by num_generations (8)");
        assertThatThrownBy(() -> ConfigLoader.defaults(SFTConfig.class, List.of("warmup_steps=10", "warmup_ratio=0.1")))
                .hasMessageContaining("warmup_ratio and warmup_steps are both set");
        assertThatThrownBy(() -> ConfigLoader.defaults(SFTConfig.class, List.of("fp16=true", "bf16=true")))
                .hasMessageContaining("fp16 and bf16 are both true");
        assertThatThrownBy(() -> ConfigLoader.defaults(SFTConfig.class, List.of("report_to=none,jsonl")))
                .hasMessageContaining("use [none] alone");
    }

    @Test
    void yamlAndJsonRoundTrip(@TempDir Path tmp) throws Exception {
        DPOConfig c = ConfigLoader.defaults(DPOConfig.class,
                List.of("beta=0.25", "loss_type=ipo", "run_name=x", "save_total_limit=3", "seed=7"));
        Path y = tmp.resolve("c.yaml");
        Files.writeString(y, ConfigLoader.toYaml(c));
        Path j = tmp.resolve("c.json");
        Files.writeString(j, ConfigLoader.toJson(c));
        for (Path p : List.of(y, j)) {
            DPOConfig back = ConfigLoader.load(p, DPOConfig.class, List.of());
            assertThat(back).usingRecursiveComparison().isEqualTo(c);
        }
        assertThat(Files.readString(y)).contains("beta: 0.25").contains("learning_rate: 1.0E-6");
    }

    @Test
    void fileFormatComesFromTheExtension() throws Exception {
        Path txt = dir.resolve("run.txt");
        Files.writeString(txt, "seed: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(txt, SFTConfig.class, List.of()))
                .hasMessageContaining("must end in .yaml, .yml or .json");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), SFTConfig.class, List.of()))
                .hasMessageContaining("cannot read config file");
        Path json = dir.resolve("run.json");
        Files.writeString(json, "{\"seed\": 5,\n \"learning_rate\": \"x\"}");
        assertThatThrownBy(() -> ConfigLoader.load(json, SFTConfig.class, List.of()))
                .hasMessage(json + ":2: learning_rate takes a number, got 'x'");
    }

    @Test
    void editDistance() {
        assertThat(ConfigKeys.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ConfigKeys.editDistance("", "abc")).isEqualTo(3);
        assertThat(ConfigKeys.editDistance("same", "same")).isZero();
    }
}
