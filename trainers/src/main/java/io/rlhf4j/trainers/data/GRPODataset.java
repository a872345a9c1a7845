package io.rlhf4j.trainers.data;

import java.nio.file.Path;
import java.util.ArrayList;
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
        List<GRPOExample> examples = new ArrayList<>();
        try (RecordReader reader = new RecordReader(file, PROMPT_FIELD, skipBadRecords, stats)) {
            for (RecordReader.SourceRecord r = reader.next(); r != null; r = reader.next()) {
                GRPOExample e = encode(encoder, r, reader, stats);
                if (e != null) {
                    examples.add(e);
                }
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no usable GRPO prompt (" + stats + ")");
        }
        return new GRPODataset(examples, stats);
    }

    static GRPOExample encode(GRPOPromptEncoder encoder, RecordReader.SourceRecord r, RecordReader reader,
            DatasetStats stats) {
        try {
            return encoder.encode(r.value(), stats);
        } catch (RuntimeException e) {
            reader.bad(r.line(), e.getMessage(), e);
            return null;
        }
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
