package io.rlhf4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Double-precision (gradient checks) matrix product, row-major, with transpose flags and batching. */
public final class Dgemm {

    private static final ValueLayout.OfDouble F = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Dgemm() {
    }

    /** C[m×n] = op(A)·op(B) (+ C if accumulate); offsets in floats; op(A) is Aᵀ when transA. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k,
            MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
            MemorySegment c, long cOffset, int ldc, boolean accumulate) {
        Parallel.forRange(m, 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a.getAtIndex(F, aOffset + (transA ? (long) p * lda + i : (long) i * lda + p));
                        double y = b.getAtIndex(F, bOffset + (transB ? (long) j * ldb + p : (long) p * ldb + j));
                        acc += x * y;
                    }
                    long ci = cOffset + (long) i * ldc + j;
                    c.setAtIndex(F, ci, accumulate ? c.getAtIndex(F, ci) + acc : acc);
                }
            }
        });
    }

    /** {@code batch} products; operand i starts at offset + i·stride (stride 0 broadcasts). */
    public static void dgemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
            MemorySegment a, long aOffset, long strideA, int lda, MemorySegment b, long bOffset, long strideB, int ldb,
            MemorySegment c, long cOffset, long strideC, int ldc, boolean accumulate) {
        for (int i = 0; i < batch; i++) {
            dgemm(transA, transB, m, n, k, a, aOffset + i * strideA, lda, b, bOffset + i * strideB, ldb,
                    c, cOffset + i * strideC, ldc, accumulate);
        }
    }
}
