package io.rlhf4j.trainers.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation measured (metric name → value, only the groups whose inputs were set) and
 * how each configured threshold fared.
 */
public record EvalResult(Map<String, Double> metrics, List<Gate> gates) {

    public EvalResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        gates = List.copyOf(gates);
    }

    /** Whether every gate passed (true with no thresholds). */
    public boolean passed() {
        return gates.stream().allMatch(Gate::passed);
    }

    /** The flat map written to eval.json: the metrics, then {@code gate/<key>} (true/false), then {@code passed}. */
    public Map<String, Object> toFlatMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        metrics.forEach((k, v) -> m.put(k, Double.isFinite(v) ? v : String.valueOf(v)));
        for (Gate g : gates) {
            m.put("gate/" + g.key(), g.passed());
        }
        m.put("passed", passed());
        return m;
    }

    /** Checks every threshold against {@code metrics}; a metric that was not computed fails its gate as NaN. */
    public static List<Gate> check(Map<String, Double> thresholds, Map<String, Double> metrics) {
        return thresholds.entrySet().stream()
                .map(t -> Gate.check(t.getKey(), t.getValue(),
                        metrics.getOrDefault(Gate.Bound.parse(t.getKey()).metric(), Double.NaN)))
                .toList();
    }
}
