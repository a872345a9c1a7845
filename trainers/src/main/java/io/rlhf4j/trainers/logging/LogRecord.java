package io.rlhf4j.trainers.logging;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One log call: the optimizer step, the fractional epoch, the wall-clock time in seconds since
 * the Unix epoch, and the metrics under their stage-prefixed names ({@code sft/loss}).
 */
public record LogRecord(long step, double epoch, double timestamp, Map<String, Double> metrics) {

    public LogRecord {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** The flat object written as one metrics.jsonl line: step, epoch, timestamp, then the metrics. */
    public Map<String, Object> toJsonObject() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("epoch", epoch);
        m.put("timestamp", timestamp);
        m.putAll(metrics);
        return m;
    }
}
