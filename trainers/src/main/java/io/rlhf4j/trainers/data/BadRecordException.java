package io.rlhf4j.trainers.data;

import java.nio.file.Path;

/** A dataset record that cannot be used; the message starts with {@code file:line:}. */
public final class BadRecordException extends RuntimeException {

    private final Path file;
    private final long line;

    public BadRecordException(Path file, long line, String problem, Throwable cause) {
        super(file + ":" + line + ": " + problem
                + " (set skip_bad_records: true to skip and count such records instead)", cause);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public long line() {
        return line;
    }
}
