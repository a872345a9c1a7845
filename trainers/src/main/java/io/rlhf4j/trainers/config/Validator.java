package io.rlhf4j.trainers.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Collects every rule a config breaks (not only the first), each as "field problem, got value",
 * so that a user fixes a config in one round. {@link ConfigLoader} prefixes each line with where
 * the field was set.
 */
public final class Validator {

    /** One broken rule: the field at fault and what is wrong with it. */
    public record Problem(String field, String message) {
    }

    private final List<Problem> problems = new ArrayList<>();

    public void fail(String field, String message) {
        problems.add(new Problem(field, message));
    }

    public void positive(String field, double value) {
        if (!(value > 0)) {
            fail(field, field + " must be > 0, got " + format(value));
        }
    }

    public void nonNegative(String field, double value) {
        if (!(value >= 0)) {
            fail(field, field + " must be >= 0, got " + format(value));
        }
    }

    public void atLeast(String field, double value, double min) {
        if (!(value >= min)) {
            fail(field, field + " must be >= " + format(min) + ", got " + format(value));
        }
    }

    /** lo <= value <= hi. */
    public void inClosedRange(String field, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            fail(field, field + " must be in [" + format(lo) + ", " + format(hi) + "], got " + format(value));
        }
    }

    /** lo <= value < hi. */
    public void inHalfOpenRange(String field, double value, double lo, double hi) {
        if (!(value >= lo && value < hi)) {
            fail(field, field + " must be in [" + format(lo) + ", " + format(hi) + "), got " + format(value));
        }
    }

    public void oneOf(String field, String value, Collection<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            fail(field, field + " must be one of " + allowed + ", got " + (value == null ? "null" : "'" + value + "'"));
        }
    }

    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    /** A number as a user wrote it: 3 rather than 3.0, 5.0E-5 as written by Java otherwise. */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
