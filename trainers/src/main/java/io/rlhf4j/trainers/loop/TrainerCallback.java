package io.rlhf4j.trainers.loop;

import io.rlhf4j.trainers.device.StepResult;

/**
 * Hooks into the training loop, after transformers' TrainerCallback. An exception thrown from a
 * hook stops the run at once (the loop does not catch it), as a crash would.
 */
public interface TrainerCallback {

    /** The gradients of the accumulation window are complete and not yet clipped. */
    default void onPreOptimizerStep(long step) {
    }

    /** Optimizer step {@code step} (1-based) is done, logged, evaluated and checkpointed as due. */
    default void onStepEnd(long step, StepResult result) {
    }
}
