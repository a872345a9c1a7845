package io.rlhf4j.trainers.config;

/**
 * A configuration the run cannot start with. The message names where the fault is (file and line,
 * or the {@code --set} argument) and what is wrong, one problem per line.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
