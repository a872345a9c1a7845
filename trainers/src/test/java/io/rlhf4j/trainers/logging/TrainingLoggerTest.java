package io.rlhf4j.trainers.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoggerTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicLong nanos = new AtomicLong();

    private TrainingLogger logger(boolean interactive, TrainingLogger.Sinks sinks) {
        InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_500L));
        return new TrainingLogger(dir, "sft", 100, sinks, new PrintStream(out, true, StandardCharsets.UTF_8),
                interactive, clock, nanos::get);
    }

    private static Map<String, Double> metrics(double loss, double lr) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("learning_rate", lr);
        m.put("grad_norm", 0.75);
        return m;
    }

    @Test
    void writesJsonlWithStagePrefixesAndKeepsHistory() throws Exception {
        try (TrainingLogger log = logger(false, new TrainingLogger.Sinks(true, false))) {
            for (int s = 1; s <= 20; s++) {
                nanos.addAndGet(500_000_000L);
                log.step(s, 1000);
            }
            log.log(20, 0.5, metrics(1.25, 2e-5));
            log.log(40, 1.0, Map.of("sft/loss", Double.NaN));
            assertThat(log.history()).hasSize(2);
            assertThat(log.history().get(0).metrics()).containsOnlyKeys("sft/loss", "sft/learning_rate",
                    "sft/grad_norm");
        }
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("step").asLong()).isEqualTo(20);
        assertThat(first.get("epoch").asDouble()).isEqualTo(0.5);
        assertThat(first.get("timestamp").asDouble()).isEqualTo(1_700_000_000.5);
        assertThat(first.get("sft/loss").asDouble()).isEqualTo(1.25);
        assertThat(first.get("sft/learning_rate").asDouble()).isEqualTo(2e-5);
        assertThat(lines.get(1)).contains("\"sft/loss\":\"NaN\"");
        String console = out.toString(StandardCharsets.UTF_8);
        // 20 steps 0.5 s apart with 1000 tokens each: 2000 tok/s; 80 steps left at 0.5 s = 40 s.
        assertThat(console.lines().findFirst().orElseThrow()).isEqualTo(
                "sft [====>                   ] 20/100 loss 1.2500 lr 2.00e-05 2.00k tok/s ETA 0:00:40 grad_norm 0.7500");
        assertThat(console).doesNotContain("\r");
    }

    @Test
    void interactiveRedrawsTheBarInPlace() {
        try (TrainingLogger log = logger(true, new TrainingLogger.Sinks(false, false))) {
            log.step(1, 10);
            log.message("hello");
            log.step(2, 10);
        }
        String console = out.toString(StandardCharsets.UTF_8);
        assertThat(console).startsWith("\rsft [>").contains("\r\u001b[Khello\n").endsWith("\n");
        assertThat(dir.resolve("metrics.jsonl")).doesNotExist();
    }

    @Test
    void tensorboardFileHasVersionThenScalars() throws Exception {
        Path file;
        try (TrainingLogger log = logger(false, new TrainingLogger.Sinks(false, true))) {
            log.log(5, 0.1, metrics(2.0, 1e-4));
        }
        try (var files = Files.list(dir)) {
            file = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.1700000000."))
                    .findFirst().orElseThrow();
        }
        Map<String, Double> expected = new LinkedHashMap<>();
        metrics(2.0, 1e-4).forEach((k, v) -> expected.put("sft/" + k, v));
        java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
        want.writeBytes(TfRecords.frame(EventProto.fileVersion(1_700_000_000.5)));
        want.writeBytes(TfRecords.frame(EventProto.scalars(1_700_000_000.5, 5, expected)));
        assertThat(Files.readAllBytes(file)).isEqualTo(want.toByteArray());
    }

    @Test
    void progressBarAndFormats() {
        assertThat(ProgressBar.render("dpo", 0, 10, Double.NaN, Double.NaN, Double.NaN, Double.NaN))
                .isEqualTo("dpo [>                       ] 0/10");
        assertThat(ProgressBar.render("dpo", 10, 10, 0.5, 1e-6, 950, 3725))
                .isEqualTo("dpo [========================] 10/10 loss 0.5000 lr 1.00e-06 950 tok/s ETA 1:02:05");
        assertThat(ProgressBar.render("ppo", 7, 0, Double.NaN, Double.NaN, 2.5e6, Double.NaN))
                .isEqualTo("ppo step 7 2.50M tok/s");
    }

    @Test
    void throughputUsesTheLastWindow() {
        Throughput t = new Throughput();
        assertThat(t.tokensPerSecond()).isNaN();
        // 10 slow steps (1 s, 100 tokens) then 20 fast ones (0.1 s, 100 tokens): only the fast ones count.
        long time = 0;
        t.record(time, 0);
        for (int i = 0; i < 10; i++) {
            t.record(time += 1_000_000_000L, 100);
        }
        for (int i = 0; i < 20; i++) {
            t.record(time += 100_000_000L, 100);
        }
        assertThat(t.tokensPerSecond()).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.secondsPerStep()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    }
}
