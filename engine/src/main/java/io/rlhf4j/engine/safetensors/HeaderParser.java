package io.rlhf4j.engine.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rlhf4j.engine.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON header of a safetensors file into checked entries. Everything a header can say
 * about a single tensor is checked here (types, dtype, shape, offsets, byte count); how the
 * tensors sit together in the data area is {@link DataLayout}'s job.
 *
 * <p>What is accepted follows the reference library (safetensors 0.8): leading and trailing
 * whitespace, unknown extra fields in an entry, and {@code "__metadata__": null} are fine; a
 * non-string metadata value, a float or negative dimension, or trailing content is not. Stricter
 * than the library: a repeated key anywhere, including a tensor name given twice with identical
 * entries, is rejected, because which copy wins is undefined.
 */
final class HeaderParser {

    static final String METADATA_KEY = "__metadata__";

    /** One tensor as the header describes it; offsets are relative to the data area. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    record Header(List<Entry> entries, Map<String, String> metadata) {
    }

    private static final ObjectMapper MAPPER = createMapper();

    private HeaderParser() {
    }

    private static ObjectMapper createMapper() {
        // Jackson's default string/name limits (20M chars / 50k chars) are below what the format
        // allows in a 100 MB header, and a long metadata value is legitimate.
        int limit = (int) SafetensorsFile.MAX_HEADER_BYTES;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(limit).maxNameLength(limit).build())
                .build();
        // Repeated keys inside an entry or the metadata are caught when the value becomes a tree;
        // repeated tensor names are caught in readHeader() so the message can name the tensor.
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .build();
    }

    static Header parse(Path file, byte[] headerBytes) throws IOException {
        String text = decodeUtf8(file, headerBytes);
        try (JsonParser parser = MAPPER.createParser(text)) {
            return readHeader(file, parser);
        } catch (JacksonException e) {
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + e.getOriginalMessage()
                    + " at " + e.getLocation().offsetDescription());
        }
    }

    private static Header readHeader(Path file, JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsFormatException(file, "header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (!seen.add(name)) {
                throw new SafetensorsFormatException(file, name, "duplicate tensor name in header");
            }
            parser.nextToken();
            JsonNode value = readTree(file, name, parser);
            if (name.equals(METADATA_KEY)) {
                metadata = parseMetadata(file, value);
            } else {
                entries.add(parseEntry(file, name, value));
            }
        }
        if (parser.nextToken() != null) {
            throw new SafetensorsFormatException(file, "header has content after its JSON object");
        }
        return new Header(entries, metadata);
    }

    private static String decodeUtf8(Path file, byte[] bytes) throws SafetensorsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8");
        }
    }

    private static JsonNode readTree(Path file, String name, JsonParser parser) throws IOException {
        try {
            return parser.readValueAsTree();
        } catch (JacksonException e) {
            throw new SafetensorsFormatException(file, name.equals(METADATA_KEY) ? null : name,
                    "invalid JSON in " + (name.equals(METADATA_KEY) ? "'" + METADATA_KEY + "'" : "entry")
                            + ": " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws SafetensorsFormatException {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, "'" + METADATA_KEY + "' must be an object of string values");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, "'" + METADATA_KEY + "' value for key '"
                        + field.getKey() + "' is not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, name, "entry is not a JSON object");
        }
        DType dtype = parseDtype(file, name, required(file, name, node, "dtype"));
        long[] shape = parseShape(file, name, required(file, name, node, "shape"));
        long[] offsets = parseOffsets(file, name, required(file, name, node, "data_offsets"));
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new SafetensorsFormatException(file, name,
                    "data_offsets begin " + begin + " is after end " + end);
        }
        long expectedBytes;
        try {
            expectedBytes = Shapes.byteCount(shape, dtype);
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " has more bytes than fit in 64 bits");
        }
        if (expectedBytes != end - begin) {
            throw new SafetensorsFormatException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + expectedBytes + " bytes but data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static JsonNode required(Path file, String name, JsonNode entry, String field)
            throws SafetensorsFormatException {
        JsonNode value = entry.get(field);
        if (value == null) {
            throw new SafetensorsFormatException(file, name, "missing field '" + field + "'");
        }
        return value;
    }

    private static DType parseDtype(Path file, String name, JsonNode node) throws SafetensorsFormatException {
        if (!node.isTextual()) {
            throw new SafetensorsFormatException(file, name, "'dtype' must be a string");
        }
        try {
            return DType.fromSafetensorsName(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, name, "unknown dtype '" + node.textValue()
                    + "' (supported: " + supportedDtypes() + ")");
        }
    }

    private static String supportedDtypes() {
        StringBuilder names = new StringBuilder();
        for (DType t : DType.values()) {
            names.append(names.isEmpty() ? "" : ", ").append(t.safetensorsName());
        }
        return names.toString();
    }

    private static long[] parseShape(Path file, String name, JsonNode node) throws SafetensorsFormatException {
        if (!node.isArray()) {
            throw new SafetensorsFormatException(file, name, "'shape' must be an array of non-negative integers");
        }
        long[] shape = new long[node.size()];
        Iterator<JsonNode> dims = node.elements();
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, name, dims.next(), "dimension " + i + " of 'shape'");
        }
        return shape;
    }

    private static long[] parseOffsets(Path file, String name, JsonNode node) throws SafetensorsFormatException {
        if (!node.isArray() || node.size() != 2) {
            throw new SafetensorsFormatException(file, name, "'data_offsets' must be [begin, end], got " + node);
        }
        return new long[] {
            nonNegativeLong(file, name, node.get(0), "data_offsets begin"),
            nonNegativeLong(file, name, node.get(1), "data_offsets end")};
    }

    private static long nonNegativeLong(Path file, String name, JsonNode node, String what)
            throws SafetensorsFormatException {
        if (!node.isIntegralNumber()) {
            throw new SafetensorsFormatException(file, name, what + " must be a non-negative integer, got " + node);
        }
        if (!node.canConvertToLong()) {
            throw new SafetensorsFormatException(file, name, what + " " + node + " is too large");
        }
        long value = node.longValue();
        if (value < 0) {
            throw new SafetensorsFormatException(file, name, what + " is negative (" + value + ")");
        }
        return value;
    }
}
