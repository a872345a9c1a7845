package io.rlhf4j.engine.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Saves tensors as a Hugging Face checkpoint directory, following huggingface_hub's
 * {@code save_torch_state_dict} so transformers loads the result unchanged: one
 * {@code model.safetensors} when everything fits in one shard, otherwise
 * {@code model-00001-of-0000N.safetensors} files plus {@code model.safetensors.index.json}.
 * Every shard carries {@code "format": "pt"} in its metadata, which transformers requires; the
 * caller's metadata goes into the single file, or into the index when sharded (with
 * {@code total_size}, the sum of tensor bytes).
 */
public final class ShardedCheckpointWriter {

    static final String SINGLE_FILE = "model.safetensors";

    /** Every file name a previous save into the same directory may have left. */
    private static final Pattern CHECKPOINT_FILE =
            Pattern.compile("model(-\\d{5}-of-\\d{5})?\\.safetensors(\\.index\\.json)?");

    private ShardedCheckpointWriter() {
    }

    /**
     * Writes the checkpoint into {@code directory} (created if missing), each file atomically,
     * then deletes checkpoint files of an earlier save that the new one does not use, so that a
     * stale index or shard can never be mixed with the new files.
     *
     * @param tensors in the order they should be assigned to shards
     * @param maxShardBytes the shard size limit in tensor bytes; a larger tensor gets its own shard
     */
    public static void write(Path directory, List<TensorBytes> tensors, Map<String, String> metadata,
            long maxShardBytes) throws IOException {
        List<List<TensorBytes>> shards = ShardPlan.split(tensors, maxShardBytes);
        Files.createDirectories(directory);
        Set<String> written = new HashSet<>();
        if (shards.size() <= 1) {
            Map<String, String> fileMetadata = new LinkedHashMap<>(Map.of("format", "pt"));
            fileMetadata.putAll(metadata);
            SafetensorsWriter.write(directory.resolve(SINGLE_FILE), tensors, fileMetadata);
            written.add(SINGLE_FILE);
        } else {
            Map<String, String> weightMap = new LinkedHashMap<>();
            long totalBytes = 0;
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                SafetensorsWriter.write(directory.resolve(name), shards.get(i), Map.of("format", "pt"));
                written.add(name);
                for (TensorBytes t : shards.get(i)) {
                    weightMap.put(t.name(), name);
                    totalBytes += t.data().byteSize();
                }
            }
            Map<String, Object> indexMetadata = new LinkedHashMap<>();
            indexMetadata.put("total_size", totalBytes);
            indexMetadata.putAll(metadata);
            byte[] index = new CheckpointIndex(indexMetadata, weightMap).toJson();
            AtomicFile.write(directory.resolve(CheckpointIndex.FILE_NAME), channel -> {
                ByteBuffer buffer = ByteBuffer.wrap(index);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            });
            written.add(CheckpointIndex.FILE_NAME);
        }
        deleteStaleFiles(directory, written);
    }

    private static void deleteStaleFiles(Path directory, Set<String> keep) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (CHECKPOINT_FILE.matcher(name).matches() && !keep.contains(name)) {
                    Files.delete(file);
                }
            }
        }
    }
}
