package io.rlhf4j.trainers.data;

import java.nio.file.Path;

/**
 * Preference pairs read lazily from a JSONL file through a shuffle buffer (the specification's
 * StreamingPreferenceDataset); see {@link ShuffledStream}.
 */
public final class StreamingPreferenceDataset extends ShuffledStream<PreferenceExample> {

    public StreamingPreferenceDataset(Path file, PreferenceEncoder encoder, boolean skipBadRecords, int bufferSize,
            long seed) {
        super(file, encoder, "preference", "text", skipBadRecords, bufferSize, seed);
    }
}
