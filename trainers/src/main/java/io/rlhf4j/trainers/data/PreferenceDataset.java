package io.rlhf4j.trainers.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Preference pairs held in memory (the specification's PreferenceDataset): every
 * {@code {prompt, chosen, rejected}} record of a JSONL file tokenized by a {@link PreferenceEncoder},
 * with the counts of what was skipped, truncated or dropped.
 */
public final class PreferenceDataset {

    private final List<PreferenceExample> examples;
    private final DatasetStats stats;

    private PreferenceDataset(List<PreferenceExample> examples, DatasetStats stats) {
        this.examples = List.copyOf(examples);
        this.stats = stats;
    }

    /** Already tokenized pairs. */
    public static PreferenceDataset of(List<PreferenceExample> examples) {
        return new PreferenceDataset(examples, new DatasetStats());
    }

    /**
     * Reads and tokenizes {@code file}. A malformed record (bad JSON, a missing or mistyped field) is
     * a {@link BadRecordException} naming file, line and field, or skipped and counted when
     * {@code skipBadRecords}.
     */
    public static PreferenceDataset load(Path file, PreferenceEncoder encoder, boolean skipBadRecords) {
        DatasetStats stats = new DatasetStats();
        return new PreferenceDataset(RecordEncoder.readAll(file, encoder, "text", skipBadRecords, stats, "preference"),
                stats);
    }

    public List<PreferenceExample> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    public DatasetStats stats() {
        return stats;
    }
}
