package io.rlhf4j.engine.optim;

import java.util.List;

/**
 * Updates parameters from their gradients (torch.optim.Optimizer). Parameters are leaf tensors
 * that require grad; a parameter whose {@code grad()} is null is skipped, as in torch.
 */
public interface Optimizer {

    /** One update of every parameter that has a gradient. */
    void step();

    /**
     * Zeroes every parameter's gradient in place, keeping its buffer so that a training loop
     * allocates no gradient memory after its first step. (torch's default, set_to_none, is
     * {@code zeroGrad(true)}; it differs only for parameters a later step leaves without a grad.)
     */
    void zeroGrad();

    /** {@code setToNone}: drop the gradients instead (the next backward allocates fresh ones). */
    void zeroGrad(boolean setToNone);

    /** The learning rate of the first parameter group. */
    double lr();

    /** Sets the learning rate of every parameter group. */
    void setLr(double lr);

    List<ParamGroup> paramGroups();

    /** A snapshot of the optimizer's state (copies, safe to keep or write to disk). */
    StateDict stateDict();

    /** Replaces the state with {@code state} (copied in), as saved by {@link #stateDict()}. */
    void loadStateDict(StateDict state);
}
