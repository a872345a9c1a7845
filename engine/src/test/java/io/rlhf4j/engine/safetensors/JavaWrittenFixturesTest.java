package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files under java_written/, which make_safetensors_fixtures.py check-java loads with the
 * Python library (its report: java_written_check.txt). This test writes them again and checks
 * the committed copies are still exactly what the writer produces, so the Python check keeps
 * describing today's writer. With {@code -Drlhf4j.regenerateFixtures=true} it rewrites the
 * committed copies instead (then rerun check-java).
 */
class JavaWrittenFixturesTest {

    /** Surefire runs in the module directory. */
    private static final Path COMMITTED = Path.of("src/test/resources/safetensors/java_written");
    private static final long MAX_SHARD_BYTES = 100;
    private static final Map<String, String> SHARDED_METADATA = Map.of("note", "written by rlhf4j");

    @TempDir
    Path dir;

    @Test
    void committedFilesAreWhatTheWriterProduces() throws IOException {
        if (Boolean.getBoolean("rlhf4j.regenerateFixtures")) {
            writeAll(COMMITTED);
        }
        writeAll(dir);
        List<Path> expected = listFiles(COMMITTED);
        assertThat(listFiles(dir)).isEqualTo(expected);
        for (Path relative : expected) {
            assertThat(dir.resolve(relative)).as(relative.toString()).hasSameBinaryContentAs(COMMITTED.resolve(relative));
        }
    }

    private static void writeAll(Path root) throws IOException {
        Files.createDirectories(root);
        SafetensorsWriter.write(root.resolve("all_dtypes.safetensors"), allDtypes(), Map.of("format", "pt"));
        SafetensorsWriter.write(root.resolve("metadata.safetensors"),
                List.of(raw("w", DType.F32, new long[] {2}, bits(1.0f), bits(-1.0f))),
                Map.of("format", "pt", "description", "metadata \u2713 caf\u00e9", "empty", "", "quoted", "say \"hi\"\nbye"));
        List<TensorBytes> model = List.of(
                raw("embed.weight", DType.F32, new long[] {4, 4}, ramp(16, 1.0f)),
                raw("layer.0.weight", DType.F32, new long[] {4, 4}, ramp(16, -0.25f)),
                raw("layer.0.bias", DType.BF16, new long[] {4}, 0x3F80, 0x4000, 0x4040, 0x4080),
                raw("head.weight", DType.F32, new long[] {8, 8}, ramp(64, 0.125f)));
        ShardedCheckpointWriter.write(root.resolve("sharded"), model, SHARDED_METADATA, MAX_SHARD_BYTES);

        ObjectNode expected = Fixtures.JSON.createObjectNode();
        expected.put("generator", "rlhf4j SafetensorsWriter / ShardedCheckpointWriter");
        ObjectNode files = expected.putObject("files");
        for (Path relative : listFiles(root)) {
            if (relative.toString().endsWith(".safetensors")) {
                files.set(relative.toString().replace('\\', '/'), describe(root.resolve(relative)));
            }
        }
        ObjectNode sharded = expected.putArray("checkpoints").addObject();
        sharded.put("directory", "sharded");
        sharded.put("max_shard_size", MAX_SHARD_BYTES);
        sharded.set("metadata", Fixtures.JSON.valueToTree(SHARDED_METADATA));
        ArrayNode order = sharded.putArray("tensor_order");
        model.forEach(t -> order.add(t.name()));
        Fixtures.JSON.writerWithDefaultPrettyPrinter().writeValue(root.resolve("expected.json").toFile(), expected);
    }

    /** Edge values of every dtype as raw bit patterns (FP8: all 256 codes), plus a scalar and a zero-size tensor. */
    private static List<TensorBytes> allDtypes() {
        long[] codes = new long[256];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i;
        }
        return List.of(
                raw("f64", DType.F64, new long[] {3, 4}, bits(0.0), bits(-0.0), bits(1.0), bits(-2.5),
                        bits(Double.MIN_VALUE), bits(Double.MAX_VALUE), bits(Double.POSITIVE_INFINITY),
                        bits(Double.NEGATIVE_INFINITY), bits(Double.NaN), bits(0.1), bits(Math.PI), bits(-1e-5)),
                raw("f32", DType.F32, new long[] {3, 4}, bits(0f), bits(-0f), bits(1f), bits(-2.5f), bits(Float.MIN_VALUE),
                        bits(Float.MAX_VALUE), bits(Float.POSITIVE_INFINITY), bits(Float.NEGATIVE_INFINITY),
                        bits(Float.NaN), bits(0.1f), bits((float) Math.PI), bits(-1e-5f)),
                raw("f16", DType.F16, new long[] {3, 4}, 0x0000, 0x8000, 0x3C00, 0xC100, 0x0001, 0x7BFF, 0x7C00, 0xFC00,
                        0x7E00, 0x2E66, 0x4248, 0x0400),
                raw("bf16", DType.BF16, new long[] {3, 4}, 0x0000, 0x8000, 0x3F80, 0xC020, 0x0001, 0x7F7F, 0x7F80, 0xFF80,
                        0x7FC0, 0x3DCD, 0x4049, 0xB728),
                raw("f8_e4m3", DType.F8_E4M3, new long[] {16, 16}, codes),
                raw("f8_e5m2", DType.F8_E5M2, new long[] {16, 16}, codes),
                raw("i64", DType.I64, new long[] {2, 3}, 0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1),
                raw("i32", DType.I32, new long[] {6}, 0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 42),
                raw("i16", DType.I16, new long[] {6}, 0, -1, 1, Short.MAX_VALUE, Short.MIN_VALUE, 42),
                raw("i8", DType.I8, new long[] {6}, 0, -1, 1, Byte.MAX_VALUE, Byte.MIN_VALUE, 42),
                raw("u64", DType.U64, new long[] {6}, 0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1, 42),
                raw("u32", DType.U32, new long[] {6}, 0, 1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 42),
                raw("u16", DType.U16, new long[] {6}, 0, 1, 0x7FFF, 0x8000, 0xFFFF, 42),
                raw("u8", DType.U8, new long[] {6}, 0, 1, 0x7F, 0x80, 0xFF, 42),
                raw("bool", DType.BOOL, new long[] {6}, 1, 0, 1, 1, 0, 0),
                raw("scalar_i32", DType.I32, new long[] {}, -42),
                raw("empty", DType.F32, new long[] {0, 3}));
    }

    /** A tensor from raw element bit patterns, each stored little-endian in dtype.byteSize() bytes. */
    private static TensorBytes raw(String name, DType dtype, long[] shape, long... elementBits) {
        byte[] bytes = new byte[elementBits.length * dtype.byteSize()];
        for (int i = 0; i < elementBits.length; i++) {
            for (int b = 0; b < dtype.byteSize(); b++) {
                bytes[i * dtype.byteSize() + b] = (byte) (elementBits[i] >>> (8 * b));
            }
        }
        return new TensorBytes(name, dtype, shape, MemorySegment.ofArray(bytes));
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static long bits(float v) {
        return Float.floatToRawIntBits(v);
    }

    private static long[] ramp(int n, float step) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = bits(i * step);
        }
        return out;
    }

    /** A file in expected.json's format, as our reader decodes it: check-java holds the library to it. */
    private static ObjectNode describe(Path file) throws IOException {
        ObjectNode record = Fixtures.JSON.createObjectNode();
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            record.set("metadata", Fixtures.JSON.valueToTree(new LinkedHashMap<>(read.metadata())));
            ArrayNode tensors = record.putArray("tensors");
            for (TensorEntry e : read.entries()) {
                ObjectNode t = tensors.addObject();
                t.put("name", e.name());
                t.put("dtype", e.dtype().safetensorsName());
                t.set("shape", Fixtures.JSON.valueToTree(e.shape()));
                ArrayNode values = t.putArray("values");
                if (e.dtype().isFloatingPoint()) {
                    for (double v : TensorValues.toDoubles(e)) {
                        if (Double.isNaN(v)) {
                            values.add("nan");
                        } else if (Double.isInfinite(v)) {
                            values.add(v > 0 ? "inf" : "-inf");
                        } else {
                            values.add(v);
                        }
                    }
                } else {
                    for (long v : TensorValues.toLongs(e)) {
                        values.add(e.dtype() == DType.U64 ? new BigInteger(Long.toUnsignedString(v)) : BigInteger.valueOf(v));
                    }
                }
            }
        }
        return record;
    }

    private static List<Path> listFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> relative = new ArrayList<>();
            files.filter(Files::isRegularFile).map(root::relativize).sorted().forEach(relative::add);
            return relative;
        }
    }
}
