package io.rlhf4j.trainers.logging;

/**
 * Tokens per second and time per step over a sliding window of the last {@value #WINDOW} steps,
 * so the figures follow the current speed rather than the average since the (slow, warming-up)
 * start; the ETA is the remaining steps at the window's time per step.
 */
public final class Throughput {

    static final int WINDOW = 20;

    private final long[] times = new long[WINDOW + 1];
    private final long[] tokens = new long[WINDOW + 1];
    private int count;
    private long totalTokens;

    /** Records that a step ended at {@code nanoTime} after processing {@code stepTokens} tokens. */
    public void record(long nanoTime, long stepTokens) {
        totalTokens += stepTokens;
        int slot = count % times.length;
        times[slot] = nanoTime;
        tokens[slot] = totalTokens;
        count++;
    }

    /** Tokens per second over the window; NaN until two steps are recorded. */
    public double tokensPerSecond() {
        if (count < 2) {
            return Double.NaN;
        }
        int newest = (count - 1) % times.length;
        int oldest = (count - span() - 1) % times.length;
        return (tokens[newest] - tokens[oldest]) / ((times[newest] - times[oldest]) / 1e9);
    }

    /** Seconds per step over the window; NaN until two steps are recorded. */
    public double secondsPerStep() {
        if (count < 2) {
            return Double.NaN;
        }
        int newest = (count - 1) % times.length;
        int oldest = (count - span() - 1) % times.length;
        return (times[newest] - times[oldest]) / 1e9 / span();
    }

    private int span() {
        return Math.min(count - 1, WINDOW);
    }
}
