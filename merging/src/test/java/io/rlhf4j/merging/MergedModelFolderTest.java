package io.rlhf4j.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merging model folders: TIES of two fine-tuned tiny Llamas against PEFT's ties on the same
 * weights (ties_reference.safetensors), and the merged folder loads in transformers. The merge
 * rlhf4j writes is committed under models/java_saved/ties and checked by transformers
 * (make_merge_fixtures.py --check-java-saved, result in java_saved/check.txt); this test keeps
 * that folder current. Regenerate with
 * {@code ./mvnw -pl merging -am test -Dtest=MergedModelFolderTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drlhf4j.regenerateFixtures=true}, then rerun the script's check.
 */
class MergedModelFolderTest {

    static final Path JAVA_SAVED = MergeFixtures.MODELS.resolve("java_saved");

    @TempDir
    Path tmp;

    private static ModelMerger ties() {
        return new ModelMerger(MergeConfig.of(MergeMethod.TIES).withDensity(0.5).withWeights(0.6, 0.4));
    }

    private static PreTrainedCausalLM mergeTo(Path out) throws IOException {
        return ties().mergeFolders(MergeFixtures.MODELS.resolve("llama_base"),
                List.of(MergeFixtures.MODELS.resolve("llama_ft1"), MergeFixtures.MODELS.resolve("llama_ft2")), out);
    }

    @Test
    void tiesMergeOfModelFoldersMatchesPeftWeightsAndLogits() throws IOException {
        PreTrainedCausalLM merged = mergeTo(tmp);
        Map<String, Tensor> ref = Safetensors.load(MergeFixtures.MODELS.resolve("ties_reference.safetensors"));
        PreTrainedCausalLM reloaded = AutoModelForCausalLM.fromPretrained(tmp);
        Map<String, Tensor> state = reloaded.stateDict();
        assertThat(state).hasSize(merged.stateDict().size());
        state.forEach((name, t) -> assertThat(t.toFloatArray()).as(name)
                .containsExactly(ref.get("state." + name).toFloatArray(), within(1e-6f)));
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            Tensor mask = ref.get("attention_mask");
            float[] logits = reloaded.forward(ref.get("input_ids"), mask, null).toFloatArray();
            float[] want = ref.get("logits").toFloatArray();
            long[] m = mask.toLongArray();
            int vocab = ref.get("logits").shape(2);
            for (int p = 0; p < m.length; p++) {
                for (int v = 0; m[p] != 0 && v < vocab; v++) {
                    assertThat(logits[p * vocab + v]).isCloseTo(want[p * vocab + v], within(1e-4f));
                }
            }
        }
        assertThat(tmp.resolve("generation_config.json")).as("the base folder's other files are copied").exists();
    }

    @Test
    void committedJavaSavedMergeIsWhatMergeWritesToday() throws IOException {
        if (Boolean.getBoolean("rlhf4j.regenerateFixtures")) {
            mergeTo(JAVA_SAVED.resolve("ties"));
        }
        mergeTo(tmp);
        for (String file : new String[] {"config.json", "model.safetensors"}) {
            assertThat(Files.readAllBytes(tmp.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(JAVA_SAVED.resolve("ties").resolve(file)));
        }
        assertThat(Files.readString(JAVA_SAVED.resolve("check.txt"))).contains("ties: ")
                .contains("no missing, unexpected or mismatched keys").endsWith("PASS\n");
    }

    @Test
    void mergingDifferentArchitecturesNamesTheFolders() {
        ModelMerger merger = new ModelMerger(MergeConfig.of(MergeMethod.TASK_ARITHMETIC));
        assertThatThrownBy(() -> merger.mergeFolders(MergeFixtures.MODELS.resolve("llama_base"),
                List.of(MergeFixtures.MODELS.resolve("gpt2_a")), tmp))
                .hasMessageContaining("gpt2_a").hasMessageContaining("llama_base")
                .hasMessageContaining("missing parameters");
    }
}
