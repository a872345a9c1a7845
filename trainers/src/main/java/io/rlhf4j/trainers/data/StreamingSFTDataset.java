package io.rlhf4j.trainers.data;

import java.nio.file.Path;

/** SFT examples read lazily through a shuffle buffer (the specification's StreamingSFTDataset); see {@link ShuffledStream}. */
public final class StreamingSFTDataset extends ShuffledStream<SFTExample> {

    public StreamingSFTDataset(Path file, SFTEncoder encoder, String textField, boolean skipBadRecords, int bufferSize,
            long seed) {
        super(file, encoder::encode, "SFT", textField, skipBadRecords, bufferSize, seed);
    }
}
