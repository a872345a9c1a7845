package io.rlhf4j.engine.autograd;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.memory.MemoryScope;
import io.rlhf4j.engine.memory.Storage;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The pending gradients of one backward pass, freed as soon as the last one that needs them has
 * been consumed.
 *
 * <p>Each node's backward runs in its own nested {@link MemoryScope}; closing it frees the node's
 * temporaries. A gradient the node returns and that is kept for a later node is adopted (without a
 * copy) by the scope that was open when backward started, and counted per storage: every pending
 * gradient that views the storage holds one reference, so views (reshape, transpose, slices of the
 * incoming gradient) and one tensor handed to several inputs are counted, not copied. When the
 * count reaches zero the storage goes back to the pool at once.
 *
 * <p>Only storage allocated inside this pass's nested scopes is ever counted or freed: a gradient
 * that aliases a tensor saved by the forward pass, the caller's seed gradient or a parameter is never
 * touched, so nothing that something else may still read is released.
 */
final class GradientStore {

    private final MemoryScope outer;
    private final Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    private final Map<Storage, int[]> references = new IdentityHashMap<>();
    private MemoryScope nodeScope;

    /** Pending gradients released early when a scope is open; with none, the GC reclaims them. */
    GradientStore() {
        this.outer = Memory.current();
    }

    /** Opens the scope the next node's backward runs in (null when no scope is open: nothing to free). */
    MemoryScope openNodeScope() {
        nodeScope = outer == null ? null : Memory.scope();
        return nodeScope;
    }

    /** Seeds the pass with the caller's gradient (never freed here). */
    void seed(Tensor root, Tensor gradient) {
        grads.put(root, gradient);
    }

    /** Removes and returns the gradient pending for {@code t}; the caller must {@link #release} it after use. */
    Tensor take(Tensor t) {
        return grads.remove(t);
    }

    /**
     * Adds {@code g} to the gradient pending for {@code t}, keeping the sum for a later node; a
     * leaf takes it into its {@code grad} at once, so no leaf gradient (a tied embedding's, say)
     * waits in memory for the rest of the pass.
     */
    void accumulate(Tensor t, Tensor g) {
        if (t.gradFn() == null) {
            t.accumulateGrad(g);
            return;
        }
        Tensor previous = grads.get(t);
        Tensor kept = previous == null ? g : previous.add(g);
        grads.put(t, kept);
        hold(kept);
        if (previous != null) {
            release(previous);
        }
    }

    /** Drops one reference to {@code g}'s storage, freeing it when it was the last. */
    void release(Tensor g) {
        Storage s = g.storage();
        int[] count = references.get(s);
        if (count != null && --count[0] == 0) {
            references.remove(s);
            outer.free(s);
        }
    }

    private void hold(Tensor g) {
        Storage s = g.storage();
        if (nodeScope != null && s.owner() == nodeScope) {
            outer.adopt(s);
            references.put(s, new int[1]);
        }
        int[] count = references.get(s);
        if (count != null) {
            count[0]++;
        }
    }
}
