package io.rlhf4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/** Argument checks shared by {@link Sgemm} and {@link Dgemm}: sizes, strides, segment bounds. */
final class GemmChecks {

    private GemmChecks() {
    }

    static void check(boolean transA, boolean transB, int m, int n, int k,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            MemorySegment c, long cOff, int ldc,
            int batch, long strideA, long strideB, long strideC, int elementBytes) {
        if (m < 0 || n < 0 || k < 0 || batch < 0) {
            throw new IllegalArgumentException("negative size: batch=" + batch + " m=" + m
                    + " n=" + n + " k=" + k);
        }
        if (batch > 1 && strideC == 0) {
            throw new IllegalArgumentException(
                    "strideC is 0: batch entries would write the same C");
        }
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        operand("A", a, aOff, lda, transA ? k : m, transA ? m : k, batch, strideA, elementBytes);
        operand("B", b, bOff, ldb, transB ? n : k, transB ? k : n, batch, strideB, elementBytes);
        operand("C", c, cOff, ldc, m, n, batch, strideC, elementBytes);
    }

    /** A stored rows×cols matrix (row stride ld) per batch entry must lie inside the segment. */
    private static void operand(String name, MemorySegment s, long offset, int ld,
            int rows, int cols, int batch, long stride, int elementBytes) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("ld" + name.toLowerCase(Locale.ROOT)
                    + "=" + ld + " is less than the " + cols + " columns " + name
                    + " has in memory");
        }
        if (offset < 0 || stride < 0) {
            throw new IllegalArgumentException(name + ": negative offset " + offset
                    + " or stride " + stride);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = offset + (batch - 1) * stride + (rows - 1L) * ld + cols;
        if (end > s.byteSize() / elementBytes) {
            throw new IndexOutOfBoundsException(name + " needs " + end + " elements (offset "
                    + offset + ", " + rows + "×" + cols + " with row stride " + ld + ", batch "
                    + batch + " with stride " + stride + ") but its segment holds "
                    + s.byteSize() / elementBytes);
        }
    }
}
