package io.rlhf4j.nn.reward;

import java.util.Locale;

/**
 * How a process reward model's per-step scores (probabilities that each step is good) become one
 * score for the whole solution, as PRM users aggregate them (Lightman et al. 2023, "Let's Verify
 * Step by Step": the product, the minimum; Math-Shepherd: the minimum; many reranking setups: the
 * last step's score).
 */
public enum StepAggregation {
    /** The weakest step: min_i p_i. */
    MIN,
    /** The probability that every step is good, read as independent: Π_i p_i. */
    PRODUCT,
    /** The last step's score p_n. */
    LAST;

    /** The aggregate of {@code scores} (each in [0, 1]); NaN for a solution without any step. */
    public double apply(double[] scores) {
        if (scores.length == 0) {
            return Double.NaN;
        }
        return switch (this) {
            case MIN -> {
                double m = Double.POSITIVE_INFINITY;
                for (double s : scores) {
                    m = Math.min(m, s);
                }
                yield m;
            }
            case PRODUCT -> {
                double p = 1;
                for (double s : scores) {
                    p *= s;
                }
                yield p;
            }
            case LAST -> scores[scores.length - 1];
        };
    }

    /** min, product or last (case-insensitive). */
    public static StepAggregation fromName(String name) {
        for (StepAggregation a : values()) {
            if (a.name().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("step aggregation must be one of min, product, last; got '" + name + "'");
    }

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
