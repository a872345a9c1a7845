package io.rlhf4j.engine.safetensors;

import static io.rlhf4j.engine.DType.*;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rlhf4j.engine.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lays tensors out and writes the header exactly as the reference library does, so a file we
 * write is byte-for-byte the file {@code safetensors.torch.save} writes for the same tensors:
 * tensors ordered by dtype rank (descending) then by name, compact JSON with {@code __metadata__}
 * first, and the header padded with spaces to a multiple of 8 bytes so that every tensor of 8-byte
 * elements or smaller starts aligned when the file is mapped.
 */
final class HeaderWriter {

    /**
     * The reference library's Dtype declaration order, reversed: it sorts by that enum's ordinal,
     * descending. It is roughly "alignment descending", but ties are broken by this exact list.
     */
    private static final List<DType> LAYOUT_ORDER =
            List.of(U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, F8_E4M3, F8_E5M2, I8, U8, BOOL);

    private static final JsonFactory JSON = new JsonFactory();

    private HeaderWriter() {
    }

    /** The tensors in the order their bytes appear in the file. */
    static List<TensorBytes> layoutOrder(Collection<TensorBytes> tensors) {
        List<TensorBytes> ordered = new ArrayList<>(tensors);
        // Names compare as UTF-8 bytes, as the reference library (Rust strings) compares them.
        ordered.sort(Comparator.comparingInt((TensorBytes t) -> LAYOUT_ORDER.indexOf(t.dtype()))
                .thenComparing(t -> t.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        return ordered;
    }

    /**
     * The header JSON for tensors already in layout order, padded with spaces to a multiple of 8.
     * Metadata keys are written sorted so the same inputs always give the same bytes; an empty map
     * writes no {@code __metadata__} key.
     */
    static byte[] header(List<TensorBytes> ordered, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(HeaderParser.METADATA_KEY);
                for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                    json.writeStringField(e.getKey(), e.getValue());
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (TensorBytes t : ordered) {
                long end = offset + t.data().byteSize();
                json.writeObjectFieldStart(t.name());
                json.writeStringField("dtype", t.dtype().safetensorsName());
                json.writeFieldName("shape");
                json.writeArray(t.shape(), 0, t.shape().length);
                json.writeFieldName("data_offsets");
                json.writeArray(new long[] {offset, end}, 0, 2);
                json.writeEndObject();
                offset = end;
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        int padding = (8 - out.size() % 8) % 8;
        for (int i = 0; i < padding; i++) {
            out.write(' ');
        }
        return out.toByteArray();
    }
}
