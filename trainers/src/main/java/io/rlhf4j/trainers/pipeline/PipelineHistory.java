package io.rlhf4j.trainers.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The training history keyed by stage name, in run order, saved as {@code pipeline_history.json}
 * in the pipeline's folder. Every save writes a temporary file and renames it over the old one, so
 * a crash leaves either the previous or the new history, never half of one.
 */
public final class PipelineHistory {

    public static final String FILE = "pipeline_history.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonProperty("stages")
    public Map<String, StageRecord> stages = new LinkedHashMap<>();

    public static Optional<PipelineHistory> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), PipelineHistory.class));
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the pipeline history: " + e.getMessage(), e);
        }
    }

    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(this) + "\n");
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public StageRecord get(String stage) {
        return stages.get(stage);
    }

    public void put(String stage, StageRecord record) {
        stages.put(stage, record);
    }
}
