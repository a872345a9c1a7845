package io.rlhf4j.trainers.logging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per log call to {@code metrics.jsonl}, flushed per line (appending, so a
 * resumed run continues the same file). Non-finite values are written as the strings "NaN",
 * "Infinity", "-Infinity", since JSON has no such numbers.
 */
public final class MetricsJsonl implements AutoCloseable {

    public static final String FILE_NAME = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    public MetricsJsonl(Path directory) {
        file = directory.resolve(FILE_NAME);
        try {
            Files.createDirectories(directory);
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    public void write(LogRecord record) {
        try {
            out.write(line(record));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file, e);
        }
    }

    static String line(LogRecord record) {
        try {
            return JSON.writeValueAsString(record.toJsonObject());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metrics are plain numbers and cannot fail to serialise", e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
