package io.rlhf4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Double-precision matrix product, the same API and layout as {@link Sgemm} on F64 operands.
 * It exists for F64 gradient checks, so it is written for clarity: i-p-j loops, each row of C
 * summed in a double[] over p in order, rows split over {@link Parallel} (deterministic).
 */
public final class Dgemm {

    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Dgemm() {
    }

    /** As {@link Sgemm#sgemm}, in double. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k,
            MemorySegment a, long aOffset, int lda,
            MemorySegment b, long bOffset, int ldb,
            MemorySegment c, long cOffset, int ldc, boolean accumulate) {
        dgemmBatched(transA, transB, 1, m, n, k, a, aOffset, 0, lda, b, bOffset, 0, ldb,
                c, cOffset, 0, ldc, accumulate);
    }

    /** As {@link Sgemm#sgemmBatched}, in double. */
    public static void dgemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
            MemorySegment a, long aOffset, long strideA, int lda,
            MemorySegment b, long bOffset, long strideB, int ldb,
            MemorySegment c, long cOffset, long strideC, int ldc, boolean accumulate) {
        GemmChecks.check(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb,
                c, cOffset, ldc, batch, strideA, strideB, strideC, Double.BYTES);
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        long aRow = transA ? 1 : lda;
        long aCol = transA ? lda : 1;
        long bRow = transB ? 1 : ldb;
        long bCol = transB ? ldb : 1;
        // about 64K multiply-adds per chunk at least
        int minRows = (int) Math.max(1, (1L << 16) / Math.max(1, (long) n * k));
        Parallel.forRange(Math.multiplyExact(batch, m), minRows, (r0, r1) -> {
            double[] acc = new double[n];
            for (int r = r0; r < r1; r++) {
                int e = r / m;
                int i = r % m;
                long aAt = aOffset + e * strideA + i * aRow;
                long bAt = bOffset + e * strideB;
                Arrays.fill(acc, 0.0);
                for (int p = 0; p < k; p++) {
                    double aip = a.getAtIndex(F64, aAt + p * aCol);
                    long bp = bAt + p * bRow;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aip * b.getAtIndex(F64, bp + j * bCol);
                    }
                }
                long cAt = cOffset + e * strideC + (long) i * ldc;
                for (int j = 0; j < n; j++) {
                    double v = accumulate ? acc[j] + c.getAtIndex(F64, cAt + j) : acc[j];
                    c.setAtIndex(F64, cAt + j, v);
                }
            }
        });
    }
}
