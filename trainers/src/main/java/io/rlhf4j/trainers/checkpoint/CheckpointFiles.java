package io.rlhf4j.trainers.checkpoint;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.StateDict;
import io.rlhf4j.engine.random.GeneratorState;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.trainers.data.DataPosition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Checkpoint} into a folder file by file, each forced to disk, and reads one
 * back. Doubles go through JSON as Java's shortest round-tripping decimal, so scalars come back
 * bitwise equal; tensors are safetensors, exact by construction.
 */
final class CheckpointFiles {

    /** Called before each file is written, with its path relative to the checkpoint folder. */
    @FunctionalInterface
    interface BeforeFile {
        void before(String file) throws IOException;
    }

    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Map<String, String> SAFETENSORS_METADATA = Map.of("format", "pt");

    /** trainer_state.json. */
    record TrainerStateFile(@JsonProperty("format_version") int formatVersion, @JsonProperty("stage") String stage,
            @JsonProperty("global_step") long globalStep, @JsonProperty("epoch") double epoch,
            @JsonProperty("data_position") DataPosition dataPosition,
            @JsonProperty("scaler") Map<String, Double> scaler, @JsonProperty("models") List<String> models,
            @JsonProperty("optimizers") List<String> optimizers) {
    }

    private CheckpointFiles() {
    }

    static void write(Path dir, Checkpoint c, long maxShardBytes, BeforeFile hook) throws IOException {
        for (Map.Entry<String, Map<String, Tensor>> m : c.models().entrySet()) {
            Path modelDir = CheckpointLayout.modelDir(dir, m.getKey());
            hook.before(dir.relativize(modelDir.resolve("model.safetensors")).toString());
            Safetensors.saveCheckpoint(modelDir, m.getValue(), Map.of(), maxShardBytes);
        }
        for (Map.Entry<String, StateDict> o : c.optimizers().entrySet()) {
            String name = o.getKey();
            hook.before(name + ".safetensors");
            Safetensors.save(dir.resolve(name + ".safetensors"), o.getValue().tensors(), SAFETENSORS_METADATA);
            writeJson(dir, name + ".json", o.getValue().scalars(), hook);
        }
        writeJson(dir, CheckpointLayout.SCHEDULER, c.schedulers(), hook);
        TrainingState s = c.state();
        writeJson(dir, CheckpointLayout.RNG_STATE, s.rngStates(), hook);
        writeFile(dir, CheckpointLayout.CONFIG, c.configYaml().getBytes(StandardCharsets.UTF_8), hook);
        writeJson(dir, CheckpointLayout.TRAINER_STATE, new TrainerStateFile(FORMAT_VERSION, s.stage(), s.globalStep(),
                s.epoch(), s.dataPosition(), s.scalerState(), List.copyOf(c.models().keySet()),
                List.copyOf(c.optimizers().keySet())), hook);
        writeFile(dir, CheckpointLayout.COMPLETE, Long.toString(s.globalStep()).getBytes(StandardCharsets.UTF_8), hook);
    }

    static Checkpoint read(Path dir) throws IOException {
        TrainerStateFile t = JSON.readValue(dir.resolve(CheckpointLayout.TRAINER_STATE).toFile(),
                TrainerStateFile.class);
        if (t.formatVersion() != FORMAT_VERSION) {
            throw new IOException(dir + ": checkpoint format " + t.formatVersion() + ", this build reads "
                    + FORMAT_VERSION);
        }
        Map<String, Map<String, Tensor>> models = new LinkedHashMap<>();
        for (String name : t.models()) {
            models.put(name, Safetensors.loadCheckpoint(CheckpointLayout.modelDir(dir, name)));
        }
        Map<String, StateDict> optimizers = new LinkedHashMap<>();
        for (String name : t.optimizers()) {
            Map<String, Tensor> tensors = Safetensors.load(dir.resolve(name + ".safetensors"));
            Map<String, Double> scalars = JSON.readValue(dir.resolve(name + ".json").toFile(),
                    new TypeReference<Map<String, Double>>() { });
            optimizers.put(name, new StateDict(tensors, scalars));
        }
        Map<String, Map<String, Double>> schedulers = JSON.readValue(dir.resolve(CheckpointLayout.SCHEDULER).toFile(),
                new TypeReference<Map<String, Map<String, Double>>>() { });
        Map<String, GeneratorState> rng = JSON.readValue(dir.resolve(CheckpointLayout.RNG_STATE).toFile(),
                new TypeReference<Map<String, GeneratorState>>() { });
        String config = Files.readString(dir.resolve(CheckpointLayout.CONFIG));
        TrainingState state = new TrainingState(t.stage(), t.globalStep(), t.epoch(), t.dataPosition(), rng,
                t.scaler());
        return new Checkpoint(models, optimizers, schedulers, state, config);
    }

    private static void writeJson(Path dir, String name, Object value, BeforeFile hook) throws IOException {
        writeFile(dir, name, JSON.writeValueAsBytes(value), hook);
    }

    /** Writes a new file and forces it to disk before returning. */
    private static void writeFile(Path dir, String name, byte[] bytes, BeforeFile hook) throws IOException {
        hook.before(name);
        try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Forces a directory's entries (new files, renames) to disk where the platform allows it. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            // Windows cannot open a directory as a channel; the rename is still atomic there.
        }
    }
}
