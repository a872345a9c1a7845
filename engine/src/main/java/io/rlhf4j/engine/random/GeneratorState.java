package io.rlhf4j.engine.random;

import java.io.Serializable;

/**
 * Everything that determines a {@link Generator}'s future output: the Philox key (from the
 * seed), the stream id (which child of the run's generator this is) and the counter (how many
 * 128-bit blocks the stream has used). Save it with a checkpoint; {@link Generator#restore}
 * continues the exact stream.
 */
public record GeneratorState(long key, long stream, long counter) implements Serializable {
}
