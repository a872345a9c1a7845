package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.Tensor;

/**
 * Row layout for ops that work along one dimension: swap that dimension with the last one and make
 * the result contiguous, so each row is a unit-stride run of memory. Swapping (not rotating) keeps
 * the move its own inverse: the same transpose restores the caller's layout as a view.
 */
final class LastDim {

    private LastDim() {
    }

    /** {@code x} (detached) with dimension {@code dim} last, contiguous. */
    static Tensor moveLast(Tensor x, int dim) {
        return x.detach().transpose(dim, -1).contiguous();
    }

    /** Undoes {@link #moveLast} as a view (no copy). */
    static Tensor restore(Tensor rows, int dim) {
        return rows.transpose(dim, -1);
    }

    /** Number of rows: the product of all dimensions but the last. */
    static int rows(Tensor rows) {
        return Math.toIntExact(StridedRows.rows(rows.shape()));
    }
}
