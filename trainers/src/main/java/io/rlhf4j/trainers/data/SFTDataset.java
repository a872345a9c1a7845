package io.rlhf4j.trainers.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SFT examples held in memory (the specification's SFTDataset): every record of a JSONL or raw-text
 * file tokenized by an {@link SFTEncoder}, with the counts of what was skipped, truncated or dropped.
 */
public final class SFTDataset {

    private final List<SFTExample> examples;
    private final DatasetStats stats;

    private SFTDataset(List<SFTExample> examples, DatasetStats stats) {
        this.examples = List.copyOf(examples);
        this.stats = stats;
    }

    /** Already tokenized examples. */
    public static SFTDataset of(List<SFTExample> examples) {
        return new SFTDataset(examples, new DatasetStats());
    }

    /**
     * Reads and tokenizes {@code file}. A malformed record (bad JSON, missing or mistyped fields, a
     * chat template that fails) is a {@link BadRecordException} naming file and line, or skipped and
     * counted when {@code skipBadRecords}.
     */
    public static SFTDataset load(Path file, SFTEncoder encoder, String textField, boolean skipBadRecords) {
        DatasetStats stats = new DatasetStats();
        List<SFTExample> examples = new ArrayList<>();
        try (RecordReader reader = new RecordReader(file, textField, skipBadRecords, stats)) {
            for (RecordReader.SourceRecord r = reader.next(); r != null; r = reader.next()) {
                SFTExample e = encode(encoder, r, reader, stats);
                if (e != null) {
                    examples.add(e);
                }
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no usable SFT record (" + stats + ")");
        }
        return new SFTDataset(examples, stats);
    }

    /** The record's example, null when dropped or skipped. */
    static SFTExample encode(SFTEncoder encoder, RecordReader.SourceRecord r, RecordReader reader, DatasetStats stats) {
        try {
            return encoder.encode(r.value(), stats);
        } catch (RuntimeException e) {
            reader.bad(r.line(), e.getMessage(), e);
            return null;
        }
    }

    public List<SFTExample> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    public DatasetStats stats() {
        return stats;
    }
}
