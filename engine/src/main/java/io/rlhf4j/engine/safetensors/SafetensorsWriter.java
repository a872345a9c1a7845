package io.rlhf4j.engine.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a safetensors file atomically (see {@link AtomicFile}) with the reference library's
 * exact layout (see {@link HeaderWriter}). Tensor bytes are streamed from their segments through
 * one staging buffer, so writing never holds a second copy of the tensors in memory.
 */
public final class SafetensorsWriter {

    private static final int STAGING_BYTES = 1 << 20;

    private SafetensorsWriter() {
    }

    /**
     * @param metadata the header's {@code __metadata__} (string to string); empty for none
     * @throws IllegalArgumentException for a repeated or reserved tensor name, before anything is written
     */
    public static void write(Path target, Collection<TensorBytes> tensors, Map<String, String> metadata)
            throws IOException {
        checkNames(tensors);
        List<TensorBytes> ordered = HeaderWriter.layoutOrder(tensors);
        byte[] header = HeaderWriter.header(ordered, metadata);
        AtomicFile.write(target, channel -> {
            ByteBuffer prefix = ByteBuffer.allocate(SafetensorsFile.LENGTH_PREFIX_BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(channel, prefix);
            writeFully(channel, ByteBuffer.wrap(header));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment staging = arena.allocate(STAGING_BYTES);
                for (TensorBytes t : ordered) {
                    copy(t.data(), staging, channel);
                }
            }
        });
    }

    private static void checkNames(Collection<TensorBytes> tensors) {
        Set<String> names = new HashSet<>();
        for (TensorBytes t : tensors) {
            if (t.name().equals(HeaderParser.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + HeaderParser.METADATA_KEY
                        + "' is reserved for the header's metadata and cannot name a tensor");
            }
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' is given twice");
            }
        }
    }

    /** Copies through native staging memory so any segment works (heap arrays of any type, native, mapped). */
    private static void copy(MemorySegment source, MemorySegment staging, FileChannel channel) throws IOException {
        for (long offset = 0; offset < source.byteSize(); offset += staging.byteSize()) {
            long n = Math.min(staging.byteSize(), source.byteSize() - offset);
            MemorySegment.copy(source, offset, staging, 0, n);
            writeFully(channel, staging.asSlice(0, n).asByteBuffer());
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
