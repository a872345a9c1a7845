package io.rlhf4j.engine.ops;

/**
 * Walks a strided layout as rows of its last dimension: row r of a tensor with shape
 * [d0, …, dn−1] starts at the offset of index (i0, …, in−2, 0) where r = i0·d1⋯dn−2 + ….
 */
final class StridedRows {

    private StridedRows() {
    }

    /** Number of rows: the product of all dimensions but the last (1 for rank 0 or 1). */
    static long rows(int[] shape) {
        long r = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            r *= shape[i];
        }
        return r;
    }

    /** Length of each row: the last dimension (1 for rank 0). */
    static int rowLength(int[] shape) {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** Element stride along a row. */
    static long rowStride(long[] strides) {
        return strides.length == 0 ? 1 : strides[strides.length - 1];
    }

    /** Storage offset of the first element of row {@code row}. */
    static long rowStart(int[] shape, long[] strides, long offset, long row) {
        long o = offset;
        long rem = row;
        for (int d = shape.length - 2; d >= 0; d--) {
            long i = rem % shape[d];
            rem /= shape[d];
            o += i * strides[d];
        }
        return o;
    }
}
