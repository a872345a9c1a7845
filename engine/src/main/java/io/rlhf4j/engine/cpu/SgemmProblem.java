package io.rlhf4j.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One product C[m×n] = op(A)·op(B) (+ C), as given to {@link Sgemm#sgemm}: operands, float
 * offsets and row strides. op(A)(i, p) is {@code a[aOff + i*lda + p]}, or
 * {@code a[aOff + p*lda + i]} when {@code transA}; op(B)(p, j) likewise.
 */
record SgemmProblem(boolean transA, boolean transB, int m, int n, int k,
        MemorySegment a, long aOff, int lda,
        MemorySegment b, long bOff, int ldb,
        MemorySegment c, long cOff, int ldc, boolean accumulate) {

    long flops() {
        return 2L * m * n * k;
    }

    /** The same product on operands shifted by the given float offsets (one batch entry). */
    SgemmProblem shifted(long da, long db, long dc) {
        return new SgemmProblem(transA, transB, m, n, k, a, aOff + da, lda, b, bOff + db, ldb,
                c, cOff + dc, ldc, accumulate);
    }
}
