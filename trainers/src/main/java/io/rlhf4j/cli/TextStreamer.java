package io.rlhf4j.cli;

import io.rlhf4j.nn.generation.FinishReason;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.tokenizer.StreamingDecoder;
import java.io.PrintStream;

/**
 * Prints one row's generated text as it is produced, through a {@link StreamingDecoder} so that a
 * character split across tokens is printed whole once its last byte arrives. Special tokens (the
 * EOS) are not printed. Everything printed equals {@code decode(generated, skipSpecialTokens)}.
 */
final class TextStreamer implements TokenStreamer {

    private final StreamingDecoder decoder;
    private final PrintStream out;

    TextStreamer(StreamingDecoder decoder, PrintStream out) {
        this.decoder = decoder;
        this.out = out;
    }

    @Override
    public void onToken(int step, int row, long token) {
        print(decoder.push(token));
    }

    @Override
    public void onFinish(int row, FinishReason finishReason) {
        print(decoder.flush());
    }

    private void print(String piece) {
        if (!piece.isEmpty()) {
            out.print(piece);
            out.flush();
        }
    }
}
