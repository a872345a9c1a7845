package io.rlhf4j.trainers.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.AdamW;
import io.rlhf4j.engine.optim.LrScheduler;
import io.rlhf4j.engine.optim.Schedule;
import io.rlhf4j.engine.optim.StateDict;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.random.GeneratorState;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.data.DataPosition;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointManagerTest {

    @TempDir
    Path out;

    /** A model, an AdamW that has taken two steps, its scheduler, two generators and a scaler state. */
    private static Checkpoint sample(long step) {
        Generator g = Generator.seed(1234);
        Map<String, Tensor> model = new LinkedHashMap<>();
        model.put("model.embed_tokens.weight", g.normal(new int[] {16, 8}, 0, 1, DType.F32));
        model.put("model.norm.weight", g.normal(new int[] {8}, 0, 1, DType.F32).to(DType.BF16));
        model.put("lm_head.bias", g.normal(new int[] {16}, 0, 1, DType.F64));
        model.put("position_ids", Tensor.ofLongs(new long[] {0, 1, 2, Long.MAX_VALUE}, 4));
        Tensor w = g.normal(new int[] {4, 3}, 0, 1, DType.F32).requiresGrad(true);
        AdamW adamw = new AdamW(List.of(w), 1e-3, 0.9, 0.999, 1e-8, 0.01);
        LrScheduler sched = new LrScheduler(adamw, Schedule.cosineWithWarmup(2, 10));
        for (int i = 0; i < 2; i++) {
            w.setGrad(g.normal(new int[] {4, 3}, 0, 1, DType.F32));
            adamw.step();
            sched.step();
        }
        Generator shuffle = g.fork("shuffle");
        shuffle.nextLong();
        TrainingState state = new TrainingState("sft", step, 1.0 / 3.0, new DataPosition(1, 37, 42),
                Map.of("run", g.state(), "shuffle", shuffle.state()),
                Map.of("scale", 32768.0, "_growth_tracker", 17.0));
        SFTConfig config = ConfigLoader.defaults(SFTConfig.class, List.of("learning_rate=3e-4", "seed=42"));
        return Checkpoint.of(model, adamw.stateDict(), sched.stateDict(), state, ConfigLoader.toYaml(config));
    }

    private static void assertBitwiseEqual(Map<String, Tensor> actual, Map<String, Tensor> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            Tensor a = actual.get(name);
            Tensor e = expected.get(name).contiguous();
            assertThat(a.dtype()).as(name).isEqualTo(e.dtype());
            assertThat(a.shape()).as(name).isEqualTo(e.shape());
            long bytes = e.numel() * e.dtype().byteSize();
            MemorySegment as = a.segment().asSlice(a.offset() * a.dtype().byteSize(), bytes);
            MemorySegment es = e.segment().asSlice(e.offset() * e.dtype().byteSize(), bytes);
            assertThat(as.mismatch(es)).as("first differing byte of %s", name).isEqualTo(-1L);
        }
    }

    private static void assertSameCheckpoint(Checkpoint loaded, Checkpoint saved) {
        assertBitwiseEqual(loaded.model(), saved.model());
        assertBitwiseEqual(loaded.optimizer().tensors(), saved.optimizer().tensors());
        assertThat(loaded.optimizer().scalars()).isEqualTo(saved.optimizer().scalars());
        assertThat(loaded.scheduler()).isEqualTo(saved.scheduler());
        assertThat(loaded.state()).isEqualTo(saved.state());
        assertThat(loaded.configYaml()).isEqualTo(saved.configYaml());
    }

    @Test
    void roundTripIsBitwise() throws IOException {
        Checkpoint saved = sample(30);
        Path dir = new CheckpointManager(out, 3).save(saved);
        assertThat(dir).isEqualTo(out.resolve("checkpoint-30"));
        for (String f : List.of("model.safetensors", "optimizer.safetensors", "optimizer.json", "scheduler.json",
                "rng_state.json", "trainer_state.json", "training_config.yaml", "checkpoint.complete")) {
            assertThat(dir.resolve(f)).isRegularFile();
        }
        Checkpoint loaded = CheckpointManager.load(dir);
        assertSameCheckpoint(loaded, saved);
        assertThat(loaded.state().rngStates().get("run")).isInstanceOf(GeneratorState.class);
        assertThat(ConfigLoader.parse(loaded.configYaml(), ConfigLoader.Format.YAML, SFTConfig.class, List.of(),
                "training_config.yaml").learningRate).isEqualTo(3e-4);
    }

    @Test
    void restoredOptimizerAndGeneratorContinueIdentically() throws IOException {
        Checkpoint saved = sample(5);
        Checkpoint loaded = CheckpointManager.load(new CheckpointManager(out, null).save(saved));
        Generator a = Generator.fromState(saved.state().rngStates().get("run"));
        Generator b = Generator.fromState(loaded.state().rngStates().get("run"));
        assertThat(b.nextLong()).isEqualTo(a.nextLong());
        Tensor w = Tensor.zeros(DType.F32, 4, 3).requiresGrad(true);
        AdamW fresh = new AdamW(List.of(w), 1e-3, 0.9, 0.999, 1e-8, 0.01);
        fresh.loadStateDict(loaded.optimizer());
        StateDict again = fresh.stateDict();
        assertBitwiseEqual(again.tensors(), saved.optimizer().tensors());
        assertThat(again.scalars()).isEqualTo(saved.optimizer().scalars());
    }

    @Test
    void shardedModelAndSecondModelRoundTrip() throws IOException {
        Checkpoint one = sample(7);
        Map<String, Tensor> value = Map.of("score.weight", Tensor.of(new float[] {1.5f, -2.25f}, 1, 2));
        Checkpoint two = new Checkpoint(Map.of("model", one.model(), "value_model", value),
                Map.of("optimizer", one.optimizer()), Map.of("optimizer", one.scheduler()), one.state(),
                one.configYaml());
        Path dir = new CheckpointManager(out, null, 600, f -> { }).save(two);
        assertThat(dir.resolve("model.safetensors.index.json")).isRegularFile();
        assertThat(dir.resolve("value_model/model.safetensors")).isRegularFile();
        Checkpoint loaded = CheckpointManager.load(dir);
        assertBitwiseEqual(loaded.model(), one.model());
        assertBitwiseEqual(loaded.models().get("value_model"), value);
    }

    @Test
    void interruptedSaveLeavesThePreviousCheckpointLoadable() throws IOException {
        Checkpoint first = sample(10);
        new CheckpointManager(out, 2).save(first);
        CheckpointManager failing = new CheckpointManager(out, 2, CheckpointManager.DEFAULT_MAX_SHARD_BYTES, f -> {
            if (f.equals("optimizer.json")) {
                throw new IOException("disk full (simulated)");
            }
        });
        assertThatThrownBy(() -> failing.save(sample(20))).hasMessage("disk full (simulated)");
        assertThat(out.resolve(".checkpoint-20.tmp")).doesNotExist();
        assertThat(out.resolve("checkpoint-20")).doesNotExist();
        CheckpointManager manager = new CheckpointManager(out, 2);
        assertThat(manager.latest()).contains(out.resolve("checkpoint-10"));
        assertSameCheckpoint(CheckpointManager.load(manager.latest().orElseThrow()), first);
    }

    @Test
    void crashLeftoversAreIgnoredAndCleaned() throws IOException {
        CheckpointManager manager = new CheckpointManager(out, null);
        manager.save(sample(10));
        // A process killed mid-write leaves a temp folder; a copied or half-deleted folder lacks the marker.
        Files.createDirectories(out.resolve(".checkpoint-30.tmp"));
        Files.writeString(out.resolve(".checkpoint-30.tmp/trainer_state.json"), "{");
        Files.createDirectories(out.resolve("checkpoint-40"));
        Files.writeString(out.resolve("checkpoint-40/trainer_state.json"), "{}");
        assertThat(manager.latest()).contains(out.resolve("checkpoint-10"));
        assertThat(manager.checkpoints()).containsExactly(out.resolve("checkpoint-10"));
        assertThatThrownBy(() -> CheckpointManager.load(out.resolve("checkpoint-40")))
                .hasMessageContaining("is not a complete checkpoint");
        manager.save(sample(50));
        assertThat(out.resolve(".checkpoint-30.tmp")).doesNotExist();
        assertThat(manager.latest()).contains(out.resolve("checkpoint-50"));
    }

    @Test
    void crashBetweenTheTwoRenamesOfAResaveIsRecovered() throws IOException {
        CheckpointManager manager = new CheckpointManager(out, null);
        manager.save(sample(10));
        Files.move(out.resolve("checkpoint-10"), out.resolve(".checkpoint-10.old"));
        manager.save(sample(20));
        assertThat(manager.checkpoints()).containsExactly(out.resolve("checkpoint-10"), out.resolve("checkpoint-20"));
    }

    @Test
    void pruningKeepsTheNewest() throws IOException {
        CheckpointManager manager = new CheckpointManager(out, 2);
        for (long step : new long[] {5, 10, 15, 20, 100}) {
            manager.save(sample(step));
        }
        assertThat(manager.checkpoints()).containsExactly(out.resolve("checkpoint-20"), out.resolve("checkpoint-100"));
        CheckpointManager keepOne = new CheckpointManager(out, 1);
        keepOne.save(sample(101));
        assertThat(keepOne.checkpoints()).containsExactly(out.resolve("checkpoint-101"));
        assertThatThrownBy(() -> new CheckpointManager(out, 0)).hasMessageContaining("save_total_limit must be >= 1");
    }

    @Test
    void savingTheSameStepAgainReplacesIt() throws IOException {
        CheckpointManager manager = new CheckpointManager(out, null);
        manager.save(sample(10));
        Checkpoint other = Checkpoint.of(Map.of("w", Tensor.of(new float[] {9f}, 1)), new StateDict(Map.of(),
                Map.of("x", 1.0)), null, sample(10).state(), "seed: 1\n");
        manager.save(other);
        Checkpoint loaded = CheckpointManager.load(out.resolve("checkpoint-10"));
        assertThat(loaded.model().get("w").toFloatArray()).containsExactly(9f);
        assertThat(loaded.optimizer().tensors()).isEmpty();
        assertThat(loaded.scheduler()).isNull();
        assertThat(out.resolve(".checkpoint-10.old")).doesNotExist();
    }

    @Test
    void emptyOutputFolderHasNoLatest() throws IOException {
        assertThat(new CheckpointManager(out.resolve("missing"), 1).latest()).isEmpty();
    }
}
