package io.rlhf4j.trainers.data;

import java.nio.file.Path;

/**
 * GRPO prompts read lazily through a shuffle buffer (the specification's StreamingGRPODataset);
 * see {@link ShuffledStream}. A raw-text line is a prompt.
 */
public final class StreamingGRPODataset extends ShuffledStream<GRPOExample> {

    public StreamingGRPODataset(Path file, GRPOPromptEncoder encoder, boolean skipBadRecords, int bufferSize,
            long seed) {
        super(file, encoder::encode, "GRPO prompt", GRPODataset.PROMPT_FIELD, skipBadRecords, bufferSize, seed);
    }
}
