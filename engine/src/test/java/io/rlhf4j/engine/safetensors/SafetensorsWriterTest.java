package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void rewritingLibraryFilesGivesTheSameBytes() throws IOException {
        List<String> files = Stream.concat(Stream.of("mixed.safetensors"),
                Stream.of(DType.values()).map(t -> "dtypes/" + t.safetensorsName() + ".safetensors")).toList();
        for (String name : files) {
            Path copy = dir.resolve("copy.safetensors");
            try (SafetensorsFile original = SafetensorsFile.open(Fixtures.file(name))) {
                SafetensorsWriter.write(copy, original.entries().stream().map(TensorEntry::toTensorBytes).toList(),
                        original.metadata());
            }
            assertThat(copy).as(name).hasSameBinaryContentAs(Fixtures.file(name));
        }
    }

    @Test
    void roundTripKeepsNamesShapesBytesAndMetadata() throws IOException {
        float[] weights = {1.5f, -2f, Float.NaN, 0f, 3e-39f, Float.POSITIVE_INFINITY};
        long[] ids = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        List<TensorBytes> tensors = List.of(
                new TensorBytes("w", DType.F32, new long[] {2, 3}, littleEndian(weights)),
                new TensorBytes("ids", DType.I64, new long[] {4}, littleEndian(ids)),
                new TensorBytes("flag", DType.BOOL, new long[] {}, MemorySegment.ofArray(new byte[] {1})),
                new TensorBytes("none", DType.BF16, new long[] {0, 5}, MemorySegment.ofArray(new byte[0])));
        Map<String, String> metadata = Map.of("format", "pt", "note", "caf\u00e9 \"quoted\"\n");
        Path file = dir.resolve("round.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.metadata()).isEqualTo(metadata);
            assertThat(read.entries()).extracting(TensorEntry::name).containsExactly("ids", "w", "none", "flag");
            for (TensorBytes t : tensors) {
                TensorEntry e = read.get(t.name());
                assertThat(e.dtype()).isEqualTo(t.dtype());
                assertThat(e.shape()).isEqualTo(t.shape());
                assertThat(e.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
            assertThat(TensorValues.toDoubles(read.get("w"))).containsExactly(
                    1.5, -2.0, Double.NaN, 0.0, (double) 3e-39f, Double.POSITIVE_INFINITY);
            assertThat(TensorValues.toLongs(read.get("ids"))).containsExactly(ids);
        }
    }

    @Test
    void headerIsPaddedToEightBytesWithSpaces() throws IOException {
        for (int nameLength = 1; nameLength <= 8; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            SafetensorsWriter.write(file, List.of(new TensorBytes("x".repeat(nameLength), DType.U8, new long[] {1},
                    MemorySegment.ofArray(new byte[] {7}))), Map.of());
            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            assertThat(headerLength % 8).isZero();
            assertThat(header.stripTrailing()).endsWith("}").doesNotContain("__metadata__");
            assertThat(header.substring(header.stripTrailing().length())).matches(" {0,7}");
            assertThat(bytes).hasSize(8 + (int) headerLength + 1);
        }
    }

    @Test
    void emptyTensorSetIsAValidFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, List.of(), Map.of());
        assertThat(Files.readAllBytes(file)).isEqualTo(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '});
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.entries()).isEmpty();
            assertThat(read.metadata()).isEmpty();
        }
    }

    @Test
    void failureMidwayLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(u8("old", 1, 2, 3)), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(file);

        // The second tensor's memory is freed before the write reaches it: a data source that fails
        // after the header and the first tensor are already on disk.
        TensorBytes dangling;
        try (Arena arena = Arena.ofConfined()) {
            dangling = new TensorBytes("b", DType.U8, new long[] {4}, arena.allocate(4));
        }
        List<TensorBytes> tensors = List.of(u8("a", 9, 9), dangling);
        assertThatThrownBy(() -> SafetensorsWriter.write(file, tensors, Map.of("v", "2")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void replacingAFileLeavesOpenReadersOnTheOldContent() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(u8("x", 1, 2, 3, 4, 5, 6, 7, 8)), Map.of());
        try (SafetensorsFile reader = SafetensorsFile.open(file)) {
            SafetensorsWriter.write(file, List.of(u8("y", 9)), Map.of());
            assertThat(TensorValues.toLongs(reader.get("x"))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
        try (SafetensorsFile reader = SafetensorsFile.open(file)) {
            assertThat(reader.entries()).extracting(TensorEntry::name).containsExactly("y");
        }
    }

    @Test
    void namesMustBeUniqueAndNotTheMetadataKey() {
        Path file = dir.resolve("bad.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.write(file, List.of(u8("a", 1), u8("a", 2)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor name 'a' is given twice");
        assertThatThrownBy(() -> SafetensorsWriter.write(file, List.of(u8("__metadata__", 1)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is reserved");
        assertThat(file).doesNotExist();
    }

    @Test
    void tensorBytesMustMatchTheShape() {
        MemorySegment sixBytes = MemorySegment.ofArray(new byte[6]);
        assertThatThrownBy(() -> new TensorBytes("w", DType.F32, new long[] {2}, sixBytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'w': shape [2] of F32 needs 8 bytes but 6 were given");
        assertThatThrownBy(() -> new TensorBytes("w", DType.U8, new long[] {-6}, sixBytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative dimension");
    }

    private static TensorBytes u8(String name, int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return new TensorBytes(name, DType.U8, new long[] {values.length}, MemorySegment.ofArray(bytes));
    }

    /** A heap segment over a float[]: the writer must cope with segments that are not byte arrays. */
    private static MemorySegment littleEndian(float[] values) {
        MemorySegment segment = MemorySegment.ofArray(new float[values.length]);
        for (int i = 0; i < values.length; i++) {
            segment.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
        }
        return segment;
    }

    private static MemorySegment littleEndian(long[] values) {
        MemorySegment segment = Arena.ofAuto().allocate(8L * values.length);
        for (int i = 0; i < values.length; i++) {
            segment.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
        }
        return segment;
    }
}
