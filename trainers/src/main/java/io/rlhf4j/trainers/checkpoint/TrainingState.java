package io.rlhf4j.trainers.checkpoint;

import io.rlhf4j.engine.random.GeneratorState;
import io.rlhf4j.trainers.data.DataPosition;
import java.util.Map;

/**
 * The loop's own state at a checkpoint: stage, optimizer steps done, the fractional epoch (as
 * transformers logs it), where the data loader stands, every named random generator, and the FP16
 * loss scaler's state (empty without one).
 */
public record TrainingState(String stage, long globalStep, double epoch, DataPosition dataPosition,
        Map<String, GeneratorState> rngStates, Map<String, Double> scalerState) {

    public TrainingState {
        rngStates = Map.copyOf(rngStates);
        scalerState = Map.copyOf(scalerState);
    }
}
