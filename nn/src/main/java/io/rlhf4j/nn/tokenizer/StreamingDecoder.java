package io.rlhf4j.nn.tokenizer;

import java.util.Arrays;

/**
 * Incremental detokenization for printing tokens as they are generated. A byte-level token can hold
 * part of a UTF-8 character (an emoji spans several tokens), and decoders drop or add spaces at the
 * start of a sequence, so each step decodes a short window with the previous token(s) as context and
 * emits only the text past that context, once it no longer ends in U+FFFD (an unfinished character).
 * This is the prefix/read-offset scheme of transformers' TextStreamer and the Rust {@code DecodeStream}.
 * The concatenation of all returned pieces and {@link #flush()} equals {@code decode(allIds)}.
 */
public final class StreamingDecoder {
    private final HfTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private long[] ids = new long[16];
    private int size;
    private int prefixOffset;
    private int readOffset;

    StreamingDecoder(HfTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one id and returns the text it completes (possibly empty). */
    public String push(long id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = decode(prefixOffset, readOffset);
        String full = decode(prefixOffset, size);
        if (full.length() > prefix.length() && !full.endsWith("\uFFFD") && full.startsWith(prefix)) {
            prefixOffset = readOffset;
            readOffset = size;
            return full.substring(prefix.length());
        }
        return "";
    }

    /** Returns whatever text is still held back (an unfinished character decodes as U+FFFD). */
    public String flush() {
        String prefix = decode(prefixOffset, readOffset);
        String full = decode(prefixOffset, size);
        prefixOffset = readOffset = size;
        return full.startsWith(prefix) ? full.substring(prefix.length()) : full;
    }

    private String decode(int from, int to) {
        return tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
    }
}
