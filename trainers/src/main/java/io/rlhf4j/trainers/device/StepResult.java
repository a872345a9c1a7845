package io.rlhf4j.trainers.device;

/**
 * What one optimizer step did: the global gradient norm before clipping (NaN when the gradients
 * overflowed), whether the parameters were updated, the learning rate the update used, and the
 * loss scale now in force (1 without FP16 scaling).
 */
public record StepResult(double gradNorm, boolean stepped, double learningRate, double lossScale) {
}
