package io.rlhf4j.trainers.data;

import java.nio.file.Path;
import java.util.List;

/**
 * GRPO prompts held in memory (the specification's GRPODataset): every {@code {prompt}} record of a
 * JSONL file (or every line of a raw-text file) encoded by a {@link GRPOPromptEncoder}, keeping the
 * prompt text for reward functions and the ids for generation.
 */
public final class GRPODataset {

    /** The field a raw-text line becomes. */
    public static final String PROMPT_FIELD = "prompt";

    private final List<GRPOExample> examples;
    private final DatasetStats stats;

    private GRPODataset(List<GRPOExample> examples, DatasetStats stats) {
        this.examples = List.copyOf(examples);
        this.stats = stats;
    }

    /** Already encoded prompts. */
    public static GRPODataset of(List<GRPOExample> examples) {
        return new GRPODataset(examples, new DatasetStats());
    }

    /**
     * Reads and encodes {@code file}; a malformed record is a {@link BadRecordException} naming file
     * and line, or skipped and counted when {@code skipBadRecords}.
     */
    public static GRPODataset load(Path file, GRPOPromptEncoder encoder, boolean skipBadRecords) {
        DatasetStats stats = new DatasetStats();
        return new GRPODataset(RecordEncoder.readAll(file, encoder::encode, PROMPT_FIELD, skipBadRecords, stats,
                "GRPO prompt"), stats);
    }

    public List<GRPOExample> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    public DatasetStats stats() {
        return stats;
    }
}
