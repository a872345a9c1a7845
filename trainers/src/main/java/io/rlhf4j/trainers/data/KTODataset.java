package io.rlhf4j.trainers.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Unpaired examples held in memory (the specification's KTODataset): every
 * {@code {prompt, completion|response, label}} record of a JSONL file tokenized by a
 * {@link KTOEncoder}, with the counts of what was skipped, truncated or dropped.
 */
public final class KTODataset {

    private final List<KTOExample> examples;
    private final DatasetStats stats;

    private KTODataset(List<KTOExample> examples, DatasetStats stats) {
        this.examples = List.copyOf(examples);
        this.stats = stats;
    }

    /** Already tokenized examples. */
    public static KTODataset of(List<KTOExample> examples) {
        return new KTODataset(examples, new DatasetStats());
    }

    /**
     * Reads and tokenizes {@code file}. A malformed record (bad JSON, a missing or mistyped field, a
     * label other than true/false/1/0) is a {@link BadRecordException} naming file, line and field,
     * or skipped and counted when {@code skipBadRecords}.
     */
    public static KTODataset load(Path file, KTOEncoder encoder, boolean skipBadRecords) {
        DatasetStats stats = new DatasetStats();
        return new KTODataset(RecordEncoder.readAll(file, encoder, "text", skipBadRecords, stats, "KTO"), stats);
    }

    public List<KTOExample> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    /** How many examples are labelled desirable. */
    public int desirable() {
        return (int) examples.stream().filter(KTOExample::desirable).count();
    }

    public DatasetStats stats() {
        return stats;
    }
}
