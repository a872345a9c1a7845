package io.rlhf4j.trainers.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads dataset records one line at a time: a {@code .jsonl} (or {@code .json} lines) file holds
 * one JSON object per line; any other file is raw text, each non-empty line becoming the record
 * {@code {"<textField>": line}}. Blank lines are skipped. A line that is not a JSON object is a
 * {@link BadRecordException} naming file and line, or, with {@code skipBad}, skipped and counted.
 */
public final class RecordReader implements Closeable {

    /** A record and where it came from. */
    public record SourceRecord(Path file, long line, ObjectNode value) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final boolean jsonLines;
    private final String textField;
    private final boolean skipBad;
    private final DatasetStats stats;
    private final BufferedReader in;
    private long line;

    public RecordReader(Path file, String textField, boolean skipBad, DatasetStats stats) {
        this.file = file;
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        this.jsonLines = name.endsWith(".jsonl") || name.endsWith(".json");
        this.textField = textField;
        this.skipBad = skipBad;
        this.stats = stats;
        try {
            this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dataset file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The next well-formed record, or null at the end of the file. */
    public SourceRecord next() {
        while (true) {
            String text;
            try {
                text = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(file + ":" + (line + 1) + ": cannot read: " + e.getMessage(), e);
            }
            if (text == null) {
                return null;
            }
            line++;
            if (text.isBlank()) {
                continue;
            }
            if (!jsonLines) {
                ObjectNode node = JSON.createObjectNode();
                node.put(textField, text);
                return new SourceRecord(file, line, node);
            }
            try {
                JsonNode node = JSON.readTree(text);
                if (node instanceof ObjectNode obj) {
                    return new SourceRecord(file, line, obj);
                }
                bad(line, "a record must be a JSON object, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT),
                        null);
            } catch (JsonProcessingException e) {
                bad(line, "not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    /**
     * The next record's example as {@code encoder} makes it, skipping records it drops; null at the
     * end of the file. A record it rejects is handled as a malformed line ({@link #bad}).
     */
    public <E> E nextExample(RecordEncoder<E> encoder) {
        for (SourceRecord r = next(); r != null; r = next()) {
            try {
                E e = encoder.encode(r.value(), stats);
                if (e != null) {
                    return e;
                }
            } catch (RuntimeException e) {
                bad(r.line(), e.getMessage(), e);
            }
        }
        return null;
    }

    /** Throws, or counts the record as skipped when skipping is on. */
    void bad(long atLine, String problem, Throwable cause) {
        if (!skipBad) {
            throw new BadRecordException(file, atLine, problem, cause);
        }
        stats.skippedBad();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
