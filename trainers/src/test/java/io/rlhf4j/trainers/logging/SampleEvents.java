package io.rlhf4j.trainers.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The committed sample event file (src/test/resources/tensorboard/), which
 * src/test/python/check_tensorboard_events.py reads with the tensorboard package. Regenerate with
 * {@code java -cp <test classpath> io.rlhf4j.trainers.logging.SampleEvents <dir>}.
 */
final class SampleEvents {

    static final String NAME = "events.out.tfevents.1700000000.sample";
    static final double START = 1_700_000_000.0;

    private SampleEvents() {
    }

    /** The file's bytes: the version event, then steps 0, 10, 20, 30, 40 of sft/loss and sft/learning_rate. */
    static byte[] bytes() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(TfRecords.frame(EventProto.fileVersion(START)));
        for (int i = 0; i < 5; i++) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("sft/loss", 2.5 / (1 + i));
            values.put("sft/learning_rate", 2e-5 * (5 - i) / 5);
            out.writeBytes(TfRecords.frame(EventProto.scalars(START + 0.25 * i, 10L * i, values)));
        }
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve(NAME), bytes());
    }
}
