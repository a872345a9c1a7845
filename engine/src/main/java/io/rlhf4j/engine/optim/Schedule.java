package io.rlhf4j.engine.optim;

/**
 * A learning-rate multiplier as a function of the step (the lr_lambda of torch's LambdaLR). The
 * factories reproduce transformers.optimization (v5): warmup is step / max(1, warmup) for
 * step &lt; warmup in every schedule.
 */
@FunctionalInterface
public interface Schedule {

    double multiplier(long step);

    /** Always 1. */
    static Schedule constant() {
        return step -> 1.0;
    }

    /** get_constant_schedule_with_warmup: linear warmup, then 1. */
    static Schedule constantWithWarmup(long warmupSteps) {
        checkSteps(warmupSteps, warmupSteps);
        return step -> step < warmupSteps ? warmup(step, warmupSteps) : 1.0;
    }

    /** get_linear_schedule_with_warmup: then max(0, (total − step) / max(1, total − warmup)). */
    static Schedule linearWithWarmup(long warmupSteps, long totalSteps) {
        checkSteps(warmupSteps, totalSteps);
        return step -> step < warmupSteps ? warmup(step, warmupSteps)
                : Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }

    /** get_cosine_schedule_with_warmup with its default of half a cycle (decay to 0 at totalSteps). */
    static Schedule cosineWithWarmup(long warmupSteps, long totalSteps) {
        return cosineWithWarmup(warmupSteps, totalSteps, 0.5);
    }

    /**
     * get_cosine_schedule_with_warmup: with progress = (step − warmup) / max(1, total − warmup),
     * max(0, ½(1 + cos(π · numCycles · 2 · progress))).
     */
    static Schedule cosineWithWarmup(long warmupSteps, long totalSteps, double numCycles) {
        checkSteps(warmupSteps, totalSteps);
        return step -> {
            if (step < warmupSteps) {
                return warmup(step, warmupSteps);
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
            return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
        };
    }

    private static double warmup(long step, long warmupSteps) {
        return (double) step / Math.max(1, warmupSteps);
    }

    private static void checkSteps(long warmupSteps, long totalSteps) {
        if (warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("warmup and total steps must be >= 0, got " + warmupSteps + " and "
                    + totalSteps);
        }
    }
}
