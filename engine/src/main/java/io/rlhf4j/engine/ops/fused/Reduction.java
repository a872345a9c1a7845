package io.rlhf4j.engine.ops.fused;

/** How a per-element loss is reduced, as torch's {@code reduction} argument. */
public enum Reduction {
    /** One loss per element. */
    NONE,
    /** The mean over the elements that count (for cross-entropy: targets other than ignoreIndex). */
    MEAN,
    /** The sum over all elements. */
    SUM
}
