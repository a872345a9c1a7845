package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one dataset record into a training example ({@link SFTEncoder}, {@link PreferenceEncoder}),
 * and reads whole files through one.
 *
 * @param <E> the example type
 */
@FunctionalInterface
public interface RecordEncoder<E> {

    /**
     * The record's example, or null when it was dropped (counted in {@code stats}).
     *
     * @throws RuntimeException naming the field at fault when the record cannot be used
     */
    E encode(ObjectNode record, DatasetStats stats);

    /**
     * Every usable example of {@code file}. A record that fails to encode is a
     * {@link BadRecordException} naming file and line, or skipped and counted when {@code skipBad}.
     *
     * @param kind what the examples are, for the message when none is usable ("SFT", "preference")
     */
    static <E> List<E> readAll(Path file, RecordEncoder<E> encoder, String textField, boolean skipBad,
            DatasetStats stats, String kind) {
        List<E> examples = new ArrayList<>();
        try (RecordReader reader = new RecordReader(file, textField, skipBad, stats)) {
            for (E e = reader.nextExample(encoder); e != null; e = reader.nextExample(encoder)) {
                examples.add(e);
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no usable " + kind + " record (" + stats + ")");
        }
        return examples;
    }
}
