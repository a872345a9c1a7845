package io.rlhf4j.trainers.loop;

import io.rlhf4j.trainers.device.StepResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects the steps between two logs and turns them into the logged metrics, as transformers'
 * Trainer reports them: loss is the mean of the steps' losses since the last log; grad_norm and
 * learning_rate are those of the latest step (the rate its update used); tokens_per_second counts
 * real tokens over the wall time since the previous log.
 */
final class StepClock {

    private long since;
    private double lossSum;
    private int steps;
    private long tokens;
    private StepResult latest;

    void start(long nanoTime) {
        since = nanoTime;
    }

    void record(double loss, long stepTokens, StepResult result) {
        lossSum += loss;
        steps++;
        tokens += stepTokens;
        latest = result;
    }

    /** The metrics of the steps since the last call, then starts a new interval at {@code nanoTime}. */
    Map<String, Double> drain(long nanoTime) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", lossSum / steps);
        m.put("learning_rate", latest.learningRate());
        m.put("grad_norm", latest.gradNorm());
        double seconds = (nanoTime - since) / 1e9;
        m.put("tokens_per_second", seconds > 0 ? tokens / seconds : Double.NaN);
        since = nanoTime;
        lossSum = 0;
        steps = 0;
        tokens = 0;
        return m;
    }
}
