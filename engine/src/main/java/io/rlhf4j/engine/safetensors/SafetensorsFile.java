package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.safetensors.HeaderParser.Entry;
import io.rlhf4j.engine.safetensors.HeaderParser.Header;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A safetensors file, memory-mapped and validated. {@link #open} checks the whole header
 * (lengths, JSON, dtypes, shapes, offsets, exact tiling of the data area) before handing out a
 * single tensor, so a corrupt or hostile file fails with a message instead of reading garbage or
 * running out of memory. Tensor data is never copied: each entry is a slice of the mapping.
 *
 * <p>The mapping belongs to a shared arena owned by this object, so entries can be read from any
 * thread, and {@link #close()} unmaps the file; later access to an entry's data throws
 * IllegalStateException rather than faulting. A file must not be truncated while it is open
 * (the writers in this package replace files by rename, which never disturbs a reader).
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Bytes of the little-endian u64 header length that starts every file. */
    static final int LENGTH_PREFIX_BYTES = 8;
    /** The reference library's limit; a larger header is treated as corrupt, never allocated. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ValueLayout.OfLong U64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    /** The arena this object closes; null when the caller's arena decides the mapping's lifetime. */
    private final Arena ownedArena;
    private final List<TensorEntry> entries;
    private final Map<String, TensorEntry> byName;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena ownedArena, List<TensorEntry> entries, Map<String, String> metadata) {
        this.path = path;
        this.ownedArena = ownedArena;
        this.entries = List.copyOf(entries);
        Map<String, TensorEntry> index = new LinkedHashMap<>();
        for (TensorEntry e : entries) {
            index.put(e.name(), e);
        }
        this.byName = Collections.unmodifiableMap(index);
        this.metadata = metadata;
    }

    /** Maps and validates the file; {@link #close()} unmaps it. */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return map(path, arena, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Maps the file into {@code arena}, which decides how long the mapping lives; {@link #close()}
     * then does nothing. With {@link Arena#ofAuto()} the file stays mapped for as long as any
     * entry's data is reachable, which is what tensors handed out without an owner need.
     */
    static SafetensorsFile openIn(Path path, Arena arena) throws IOException {
        return map(path, arena, null);
    }

    private static SafetensorsFile map(Path path, Arena arena, Arena ownedArena) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileBytes = channel.size();
            if (fileBytes < LENGTH_PREFIX_BYTES) {
                throw new SafetensorsFormatException(path, "file is " + fileBytes
                        + " bytes, shorter than the 8-byte header length that starts every safetensors file");
            }
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileBytes, arena);
            long headerBytes = checkedHeaderLength(path, file.get(U64_LE, 0), fileBytes);
            Header header = HeaderParser.parse(path,
                    file.asSlice(LENGTH_PREFIX_BYTES, headerBytes).toArray(ValueLayout.JAVA_BYTE));
            MemorySegment dataArea = file.asSlice(LENGTH_PREFIX_BYTES + headerBytes);
            List<TensorEntry> entries = new ArrayList<>();
            for (Entry e : DataLayout.validate(path, header.entries(), dataArea.byteSize())) {
                entries.add(new TensorEntry(e.name(), e.dtype(), e.shape(), e.begin(),
                        dataArea.asSlice(e.begin(), e.end() - e.begin())));
            }
            return new SafetensorsFile(path, ownedArena, entries, header.metadata());
        }
    }

    /** The header length, checked against the limit and the file before anything is allocated for it. */
    private static long checkedHeaderLength(Path path, long rawLength, long fileBytes) throws SafetensorsFormatException {
        // The prefix is unsigned: a length of 2^63 or more reads as negative here.
        if (Long.compareUnsigned(rawLength, MAX_HEADER_BYTES) > 0) {
            throw new SafetensorsFormatException(path, "header length " + Long.toUnsignedString(rawLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (rawLength > fileBytes - LENGTH_PREFIX_BYTES) {
            throw new SafetensorsFormatException(path, "header length " + rawLength + " runs past the end of the file ("
                    + (fileBytes - LENGTH_PREFIX_BYTES) + " bytes follow the length prefix)");
        }
        return rawLength;
    }

    public Path path() {
        return path;
    }

    /** All tensors in file order (by data offset). */
    public List<TensorEntry> entries() {
        return entries;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public TensorEntry get(String name) {
        TensorEntry entry = byName.get(name);
        if (entry == null) {
            throw new NoSuchElementException(path + ": no tensor named '" + name + "' (the file has "
                    + entries.size() + " tensors)");
        }
        return entry;
    }

    /** The header's {@code __metadata__}; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        if (ownedArena != null) {
            ownedArena.close();
        }
    }
}
