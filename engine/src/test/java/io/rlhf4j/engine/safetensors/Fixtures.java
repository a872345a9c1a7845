package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed fixtures of make_safetensors_fixtures.py and the exact-value comparison against
 * its expected.json (floats as float64 numbers or "nan"/"inf"/"-inf", integers as integers).
 */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    static Path root() {
        try {
            return Path.of(Fixtures.class.getResource("/safetensors").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static JsonNode expected(Path expectedJson) {
        try {
            return JSON.readTree(expectedJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks a file's tensors (order, dtype, shape, exact values) and metadata against its expected.json record. */
    static void assertMatches(SafetensorsFile file, JsonNode record) {
        Map<String, String> metadata = new LinkedHashMap<>();
        record.get("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().textValue()));
        assertThat(file.metadata()).as("metadata of %s", file.path()).isEqualTo(metadata);
        List<String> names = new ArrayList<>();
        record.get("tensors").forEach(t -> names.add(t.get("name").textValue()));
        assertThat(file.entries()).extracting(TensorEntry::name).as("tensors of %s", file.path()).isEqualTo(names);
        for (JsonNode t : record.get("tensors")) {
            assertMatches(file.get(t.get("name").textValue()), t);
        }
    }

    static void assertMatches(TensorEntry entry, JsonNode tensor) {
        String what = entry.name() + " (" + entry.dtype() + ")";
        assertThat(entry.dtype().safetensorsName()).as(what).isEqualTo(tensor.get("dtype").textValue());
        assertThat(entry.shape()).as(what).isEqualTo(JSON.convertValue(tensor.get("shape"), long[].class));
        JsonNode values = tensor.get("values");
        if (entry.dtype().isFloatingPoint()) {
            assertThat(TensorValues.toDoubles(entry)).as(what).isEqualTo(expectedDoubles(values));
        } else {
            // bigIntegerValue().longValue() keeps the low 64 bits: U64 values above 2^63 compare as raw bits.
            long[] expected = new long[values.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = values.get(i).bigIntegerValue().longValue();
            }
            assertThat(TensorValues.toLongs(entry)).as(what).isEqualTo(expected);
        }
    }

    /** AssertJ compares double[] with Double.equals: NaN equals NaN and 0.0 differs from -0.0, i.e. bitwise. */
    static double[] expectedDoubles(JsonNode values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = values.get(i);
            out[i] = v.isTextual() ? switch (v.textValue()) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException("unexpected value " + v);
            } : v.doubleValue();
        }
        return out;
    }
}
