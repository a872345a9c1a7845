package io.rlhf4j.nn.generation;

/** Receives tokens as they are generated (a CLI printing text as it comes). */
public interface TokenStreamer {

    /** Row {@code row} generated {@code token} at step {@code step} (0 for the first new token). */
    void onToken(int step, int row, long token);

    /** Row {@code row} will generate nothing more. Called once per row. */
    default void onFinish(int row, FinishReason reason) {
    }

    /** A streamer that ignores everything. */
    TokenStreamer NONE = (step, row, token) -> {
    };
}
