package io.rlhf4j.nn.tokenizer;

/** A chat template could not be rendered: a syntax error, a failed expression or {@code raise_exception}. */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
