package io.rlhf4j.trainers.data;

import java.nio.file.Path;
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
        return new SFTDataset(RecordEncoder.readAll(file, encoder::encode, textField, skipBadRecords, stats, "SFT"),
                stats);
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
