package io.rlhf4j.nn.tokenizer;

/** A tokenizer folder could not be loaded: a missing file or a malformed field, named in the message. */
public final class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
