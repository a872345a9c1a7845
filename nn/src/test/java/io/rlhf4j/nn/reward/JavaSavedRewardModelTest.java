package io.rlhf4j.nn.reward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reward models saved by rlhf4j load in transformers. The folders under reward/java_saved/ are
 * what {@link RewardModel#savePretrained} writes for the fixture models (gpt2 with the torch
 * fixture's MLP head; the transformers LlamaForSequenceClassification fixture, reloaded and
 * saved); make_reward_fixtures.py --check-java-saved loads them with transformers and writes
 * java_saved/check.txt. This test keeps the folders current; regenerate them with
 * {@code ./mvnw -pl nn test -Dtest=JavaSavedRewardModelTest -Drlhf4j.regenerateFixtures=true},
 * then rerun the script's check.
 */
class JavaSavedRewardModelTest {

    static final Path JAVA_SAVED = RewardFixtures.REWARD.resolve("java_saved");

    @TempDir
    Path tmp;

    private void check(RewardModel model, String name, String... files) throws IOException {
        if (Boolean.getBoolean("rlhf4j.regenerateFixtures")) {
            model.savePretrained(JAVA_SAVED.resolve(name));
        }
        model.savePretrained(tmp.resolve(name));
        for (String file : files) {
            assertThat(Files.readAllBytes(tmp.resolve(name).resolve(file))).as("%s/%s", name, file)
                    .isEqualTo(Files.readAllBytes(JAVA_SAVED.resolve(name).resolve(file)));
        }
        assertThat(Files.readString(JAVA_SAVED.resolve("check.txt"))).contains(name + " left:").endsWith("PASS\n");
    }

    @Test
    void mlpModelIsWhatSaveWritesToday() throws IOException {
        check(RewardFixtures.model("gpt2", Pooling.LAST_TOKEN), "gpt2_mlp", "config.json", "model.safetensors",
                "reward_head.safetensors", "reward_config.json");
    }

    @Test
    void scoreModelIsWhatSaveWritesToday() throws IOException {
        check(RewardModel.fromPretrained(RewardFixtures.REWARD.resolve("llama_seqcls")), "llama_seqcls",
                "config.json", "model.safetensors", "reward_config.json");
    }
}
