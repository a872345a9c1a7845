package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Safetensors files and checkpoints as {@link Tensor}s.
 *
 * <p>Loading copies nothing: every tensor, whatever its dtype, is a contiguous view of the
 * memory-mapped file (BF16 stays BF16 until an op converts it). The mapping lives in an automatic
 * arena, so it stays valid while any loaded tensor is reachable and is unmapped by the garbage
 * collector afterwards; there is nothing to close. The views are read-only: copy a tensor before
 * changing it in place.
 *
 * <p>Tensor memory is in the platform's byte order and the format is little-endian, so these
 * methods refuse to run on a big-endian machine rather than return byte-swapped values.
 */
public final class Safetensors {

    private Safetensors() {
    }

    /** Every tensor of one file, in file order. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        requireLittleEndian();
        return wrap(SafetensorsFile.openIn(file, Arena.ofAuto()).entries());
    }

    /** Every tensor of a checkpoint directory: sharded through its index, or a single model.safetensors. */
    public static Map<String, Tensor> loadCheckpoint(Path directory) throws IOException {
        requireLittleEndian();
        try (ShardedCheckpoint checkpoint = ShardedCheckpoint.openDirectory(directory, Arena.ofAuto())) {
            List<TensorEntry> entries = new ArrayList<>();
            checkpoint.names().forEach(name -> entries.add(checkpoint.get(name)));
            return wrap(entries);
        }
    }

    /** Writes the tensors (views are written as their contiguous contents) atomically to one file. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        SafetensorsWriter.write(file, toBytes(tensors), metadata);
    }

    /**
     * Writes a Hugging Face checkpoint directory (see {@link ShardedCheckpointWriter}); tensors are
     * assigned to shards in the map's iteration order.
     */
    public static void saveCheckpoint(Path directory, Map<String, Tensor> tensors, Map<String, String> metadata,
            long maxShardBytes) throws IOException {
        ShardedCheckpointWriter.write(directory, toBytes(tensors), metadata, maxShardBytes);
    }

    private static Map<String, Tensor> wrap(Collection<TensorEntry> entries) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorEntry e : entries) {
            tensors.put(e.name(), Tensor.wrap(e.data(), e.dtype(), intShape(e)));
        }
        return Collections.unmodifiableMap(tensors);
    }

    private static int[] intShape(TensorEntry e) {
        long[] shape = e.shape();
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor '" + e.name() + "': shape " + Arrays.toString(shape)
                        + " has a dimension larger than a Tensor supports (" + Integer.MAX_VALUE + ")");
            }
            out[i] = (int) shape[i];
        }
        return out;
    }

    private static List<TensorBytes> toBytes(Map<String, Tensor> tensors) {
        requireLittleEndian();
        List<TensorBytes> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue().contiguous();
            long elementBytes = t.dtype().byteSize();
            MemorySegment bytes = t.segment().asSlice(t.offset() * elementBytes, t.numel() * elementBytes);
            out.add(new TensorBytes(e.getKey(), t.dtype(), Arrays.stream(t.shape()).asLongStream().toArray(), bytes));
        }
        return out;
    }

    private static void requireLittleEndian() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors data is little-endian and Tensor memory is in "
                    + "native order; this " + ByteOrder.nativeOrder() + " platform is not supported");
        }
    }
}
