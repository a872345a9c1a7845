package io.rlhf4j.trainers.device;

/** The arithmetic of the forward pass: plain FP32, or autocast to BF16 or FP16. */
public enum Precision {
    FP32, BF16, FP16
}
