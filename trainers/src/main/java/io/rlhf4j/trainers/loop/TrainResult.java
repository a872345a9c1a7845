package io.rlhf4j.trainers.loop;

import io.rlhf4j.trainers.logging.LogRecord;
import java.util.List;

/**
 * How a run ended: the optimizer steps done, the step it resumed from (0 for a fresh run), the
 * mean training loss of each step this process ran, and every record logged.
 */
public record TrainResult(long globalStep, long resumedFrom, List<Double> stepLosses, List<LogRecord> history) {

    public TrainResult {
        stepLosses = List.copyOf(stepLosses);
        history = List.copyOf(history);
    }
}
