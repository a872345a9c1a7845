package io.rlhf4j.trainers.data;

import java.nio.file.Path;

/**
 * Unpaired examples read lazily from a JSONL file through a shuffle buffer (the specification's
 * StreamingKTODataset); see {@link ShuffledStream}.
 */
public final class StreamingKTODataset extends ShuffledStream<KTOExample> {

    public StreamingKTODataset(Path file, KTOEncoder encoder, boolean skipBadRecords, int bufferSize, long seed) {
        super(file, encoder, "KTO", "text", skipBadRecords, bufferSize, seed);
    }
}
