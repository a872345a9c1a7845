package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every broken file from make_safetensors_fixtures.py is rejected, each with its own message
 * naming the file, the tensor at fault when there is one, and the check that failed.
 * malformed/library_verdicts.txt shows the reference library rejects the same files (all but
 * duplicate_identical, where it silently keeps one copy).
 */
class MalformedFilesTest {

    /** File name (without .safetensors) -> tensor named in the message (or null) -> message fragment. */
    private static final Map<String, String[]> CASES = Map.ofEntries(
            Map.entry("truncated_prefix", new String[] {null, "file is 3 bytes, shorter than the 8-byte header length"}),
            Map.entry("header_too_large", new String[] {null,
                "header length 18446744073709551615 exceeds the limit of 100000000 bytes"}),
            Map.entry("header_past_eof", new String[] {null,
                "header length 1000 runs past the end of the file (2 bytes follow the length prefix)"}),
            Map.entry("not_utf8", new String[] {null, "header is not valid UTF-8"}),
            Map.entry("bad_json", new String[] {null, "header is not valid JSON: Unexpected end-of-input"}),
            Map.entry("not_object", new String[] {null, "header is not a JSON object"}),
            Map.entry("trailing_content", new String[] {null, "header has content after its JSON object"}),
            Map.entry("missing_data_offsets", new String[] {"a", "missing field 'data_offsets'"}),
            Map.entry("unknown_dtype", new String[] {"a", "unknown dtype 'Q8' (supported: F64, F32, BF16"}),
            Map.entry("negative_dim", new String[] {"a", "dimension 0 of 'shape' is negative (-1)"}),
            Map.entry("bad_metadata", new String[] {null, "'__metadata__' value for key 'k' is not a string"}),
            Map.entry("offsets_reversed", new String[] {"a", "data_offsets begin 1 is after end 0"}),
            Map.entry("offsets_past_end", new String[] {"a",
                "data_offsets end 4 is past the end of the data area (2 bytes)"}),
            Map.entry("wrong_byte_count", new String[] {"a",
                "shape [2] of F32 needs 8 bytes but data_offsets [0, 4] span 4"}),
            Map.entry("shape_overflow", new String[] {"a",
                "shape [4611686018427387904, 4] of F32 has more bytes than fit in 64 bits"}),
            Map.entry("overlap", new String[] {"b", "data_offsets [1, 3] overlap tensor 'a', which ends at 2"}),
            Map.entry("zero_size_inside", new String[] {"b", "data_offsets [1, 1] overlap tensor 'a', which ends at 2"}),
            Map.entry("hole_between", new String[] {"b",
                "hole of 1 bytes before this tensor: data area bytes [1, 2) belong to no tensor"}),
            Map.entry("hole_at_start", new String[] {"a",
                "hole of 1 bytes before this tensor: data area bytes [0, 1) belong to no tensor"}),
            Map.entry("hole_at_end", new String[] {null,
                "the last 1 bytes of the data area belong to no tensor (tensors end at 1, the data area is 2 bytes)"}),
            Map.entry("duplicate_name", new String[] {"a", "duplicate tensor name in header"}),
            Map.entry("duplicate_identical", new String[] {"a", "duplicate tensor name in header"}),
            Map.entry("duplicate_key_in_entry", new String[] {"a", "invalid JSON in entry: Duplicate field 'dtype'"}));

    static Stream<Arguments> cases() {
        return CASES.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(e.getKey(), e.getValue()[0], e.getValue()[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRejectedWithItsOwnMessage(String name, String tensor, String fragment) {
        Path file = Fixtures.file("malformed/" + name + ".safetensors");
        String prefix = file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ");
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(prefix)
                .hasMessageContaining(fragment);
    }

    @Test
    void everyMalformedFixtureHasACase() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.file("malformed"))) {
            assertThat(files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".safetensors"))
                    .map(n -> n.substring(0, n.length() - ".safetensors".length()))
                    .collect(Collectors.toSet()))
                    .isEqualTo(CASES.keySet());
        }
    }
}
