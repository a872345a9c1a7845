package io.rlhf4j.trainers.eval;

/**
 * One threshold of the config checked against the evaluation's metrics.
 *
 * @param key    the threshold as written, e.g. {@code kl_max}
 * @param bound  the bound from the config
 * @param value  the metric's value
 * @param passed value &le; bound for a _max gate, value &ge; bound for a _min gate (NaN fails)
 */
public record Gate(String key, double bound, double value, boolean passed) {

    /** A threshold key split into the metric it gates and the side of the bound. */
    public record Bound(String metric, boolean isMax) {

        /** {@code reward_accuracy_min} → (reward_accuracy, min); errors name the key. */
        public static Bound parse(String key) {
            boolean max = key.endsWith("_max");
            if (!max && !key.endsWith("_min")) {
                throw new IllegalArgumentException("a threshold is <metric>_min or <metric>_max, got '" + key + "'");
            }
            String metric = key.substring(0, key.length() - 4);
            EvalMetrics.groupOf(metric);
            return new Bound(metric, max);
        }

        public boolean accepts(double value, double bound) {
            return isMax ? value <= bound : value >= bound;
        }
    }

    /** Checks threshold {@code key} with {@code bound} against the metric's {@code value}. */
    public static Gate check(String key, double bound, double value) {
        return new Gate(key, bound, value, Bound.parse(key).accepts(value, bound));
    }

    @Override
    public String toString() {
        Bound b = Bound.parse(key);
        return key + ": " + b.metric() + " = " + value + (b.isMax() ? " <= " : " >= ") + bound + " "
                + (passed ? "pass" : "FAIL");
    }
}
