package io.rlhf4j.nn.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-row bookkeeping of a generation: the ids generated so far, which rows have finished and
 * why. A finished row's later tokens are replaced by the pad id, as transformers does
 * ({@code next_tokens * unfinished + pad * (1 − unfinished)}).
 */
final class RowTracker {

    private final GenerationConfig config;
    private final TokenDecoder decoder;
    private final TokenStreamer streamer;
    private final long pad;
    private final long[][] generated;
    private final int[] lengths;
    private final FinishReason[] reasons;
    private int unfinished;

    RowTracker(int rows, int capacity, GenerationConfig config, TokenDecoder decoder, TokenStreamer streamer) {
        if (!config.stopStrings().isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop_strings " + config.stopStrings()
                    + " need a TokenDecoder to turn generated ids into text");
        }
        this.config = config;
        this.decoder = decoder;
        this.streamer = streamer;
        this.pad = config.effectivePadTokenId();
        this.generated = new long[rows][capacity];
        this.lengths = new int[rows];
        this.reasons = new FinishReason[rows];
        this.unfinished = rows;
    }

    /** Records step {@code step}'s tokens, replacing those of finished rows by the pad id in place. */
    void accept(int step, long[] tokens) {
        for (int b = 0; b < tokens.length; b++) {
            if (reasons[b] != null) {
                tokens[b] = pad;
                continue;
            }
            generated[b][lengths[b]++] = tokens[b];
            streamer.onToken(step, b, tokens[b]);
            if (config.eosTokenIds().contains(tokens[b])) {
                finish(b, FinishReason.EOS);
            } else if (!config.stopStrings().isEmpty() && containsStopString(b)) {
                finish(b, FinishReason.STOP_STRING);
            }
        }
    }

    /**
     * Whether row b's generated text contains a stop string. The whole generated text is decoded
     * so that a stop string split across tokens (or inside one) is found the step it completes.
     */
    private boolean containsStopString(int b) {
        String text = decoder.decode(Arrays.copyOf(generated[b], lengths[b]));
        return config.stopStrings().stream().anyMatch(text::contains);
    }

    private void finish(int b, FinishReason reason) {
        reasons[b] = reason;
        unfinished--;
        streamer.onFinish(b, reason);
    }

    boolean allFinished() {
        return unfinished == 0;
    }

    /** Marks the rows still running as stopped by the length limit. */
    void finishByLength() {
        for (int b = 0; b < reasons.length; b++) {
            if (reasons[b] == null) {
                finish(b, FinishReason.LENGTH);
            }
        }
    }

    /** Tokens row b generated (its finishing token included). */
    int length(int b) {
        return lengths[b];
    }

    List<long[]> generated() {
        List<long[]> out = new ArrayList<>();
        for (int b = 0; b < generated.length; b++) {
            out.add(Arrays.copyOf(generated[b], lengths[b]));
        }
        return out;
    }

    List<FinishReason> reasons() {
        return List.of(reasons);
    }
}
