package io.rlhf4j.engine.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A Hugging Face checkpoint read as one name-to-tensor map, whether it is sharded
 * ({@code model.safetensors.index.json} plus shards) or a single {@code model.safetensors}.
 * Every shard is opened and validated up front, and every name in the index is checked to be in
 * the shard the index names, so a broken download fails at open with the file at fault.
 *
 * <p>The index is authoritative: a tensor present in a shard but missing from {@code weight_map}
 * is not exposed, as transformers does not load it either.
 */
public final class ShardedCheckpoint implements AutoCloseable {

    private final Path source;
    private final Map<String, Object> metadata;
    private final Map<String, TensorEntry> tensors;
    private final List<SafetensorsFile> files;

    private ShardedCheckpoint(Path source, Map<String, Object> metadata, Map<String, TensorEntry> tensors,
            List<SafetensorsFile> files) {
        this.source = source;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.files = List.copyOf(files);
    }

    /** Opens {@code model.safetensors.index.json} in the directory if there is one, else {@code model.safetensors}. */
    public static ShardedCheckpoint openDirectory(Path directory) throws IOException {
        return openDirectory(directory, null);
    }

    /** Opens a sharded checkpoint from its index file; shards are resolved next to the index. */
    public static ShardedCheckpoint open(Path indexFile) throws IOException {
        return open(indexFile, null);
    }

    /**
     * Like {@link #openDirectory(Path)}, with every file mapped into {@code arena} (see
     * {@link SafetensorsFile#openIn}); a null arena gives each file its own, closed by {@link #close()}.
     */
    static ShardedCheckpoint openDirectory(Path directory, Arena arena) throws IOException {
        Path index = directory.resolve(CheckpointIndex.FILE_NAME);
        if (Files.exists(index)) {
            return open(index, arena);
        }
        Path single = directory.resolve(ShardedCheckpointWriter.SINGLE_FILE);
        if (!Files.exists(single)) {
            throw new NoSuchFileException(directory.toString(), null,
                    "neither " + CheckpointIndex.FILE_NAME + " nor " + ShardedCheckpointWriter.SINGLE_FILE + " found");
        }
        SafetensorsFile file = openFile(single, arena);
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        for (TensorEntry e : file.entries()) {
            tensors.put(e.name(), e);
        }
        return new ShardedCheckpoint(single, new LinkedHashMap<>(file.metadata()), tensors, List.of(file));
    }

    private static ShardedCheckpoint open(Path indexFile, Arena arena) throws IOException {
        CheckpointIndex index = CheckpointIndex.read(indexFile);
        Path directory = indexFile.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            Map<String, TensorEntry> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
                SafetensorsFile shard = shards.get(e.getValue());
                if (shard == null) {
                    shard = openShard(indexFile, e.getKey(), directory.resolve(e.getValue()), arena);
                    shards.put(e.getValue(), shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new SafetensorsFormatException(indexFile, e.getKey(), "weight_map places it in shard '"
                            + e.getValue() + "', but that shard has no such tensor");
                }
                tensors.put(e.getKey(), shard.get(e.getKey()));
            }
            return new ShardedCheckpoint(indexFile, index.metadata(), tensors, new ArrayList<>(shards.values()));
        } catch (IOException | RuntimeException | Error e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static SafetensorsFile openShard(Path indexFile, String tensor, Path shard, Arena arena) throws IOException {
        if (!Files.isRegularFile(shard)) {
            throw new SafetensorsFormatException(indexFile, tensor, "weight_map names shard '"
                    + shard.getFileName() + "', which does not exist in " + shard.getParent());
        }
        return openFile(shard, arena);
    }

    private static SafetensorsFile openFile(Path file, Arena arena) throws IOException {
        return arena == null ? SafetensorsFile.open(file) : SafetensorsFile.openIn(file, arena);
    }

    /** The index file, or the single safetensors file. */
    public Path source() {
        return source;
    }

    /** Tensor names in index order (file order for a single file). */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorEntry get(String name) {
        TensorEntry entry = tensors.get(name);
        if (entry == null) {
            throw new NoSuchElementException(source + ": no tensor named '" + name + "' in the checkpoint");
        }
        return entry;
    }

    /**
     * The index's {@code metadata} (JSON values as Java objects: {@code total_size} is a number)
     * or, for a single file, its {@code __metadata__}.
     */
    public Map<String, Object> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
