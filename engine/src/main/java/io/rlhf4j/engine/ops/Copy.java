package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** Bit-exact strided copies between tensors of the same dtype and shape. */
public final class Copy {

    private Copy() {
    }

    /** Copies every element of {@code src} into the (possibly strided) view {@code dst}. */
    public static void into(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.shape(), dst.shape()) || src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy from " + src.dtype() + Arrays.toString(src.shape()) + " into "
                    + dst.dtype() + Arrays.toString(dst.shape()));
        }
        int size = src.dtype().byteSize();
        MemorySegment s = src.segment();
        MemorySegment d = dst.segment();
        if (src.isContiguous() && dst.isContiguous()) {
            MemorySegment.copy(s, src.offset() * size, d, dst.offset() * size, src.numel() * size);
            return;
        }
        int[] shape = src.shape();
        long[] ss = src.strides();
        long[] ds = dst.strides();
        long rows = StridedRows.rows(shape);
        int len = StridedRows.rowLength(shape);
        long sStep = StridedRows.rowStride(ss);
        long dStep = StridedRows.rowStride(ds);
        Parallel.forRange(Math.toIntExact(rows), Math.max(1, 16384 / Math.max(1, len)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long so = StridedRows.rowStart(shape, ss, src.offset(), r);
                long dO = StridedRows.rowStart(shape, ds, dst.offset(), r);
                copyRow(s, so, sStep, d, dO, dStep, len, size);
            }
        });
    }

    private static void copyRow(MemorySegment s, long so, long ss, MemorySegment d, long dO, long ds, int n, int size) {
        if (ss == 1 && ds == 1) {
            MemorySegment.copy(s, so * size, d, dO * size, (long) n * size);
            return;
        }
        switch (size) {
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    d.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, dO + i * ds,
                            s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, so + i * ss));
                }
            }
            case 8 -> {
                for (int i = 0; i < n; i++) {
                    d.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, dO + i * ds,
                            s.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, so + i * ss));
                }
            }
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    d.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, dO + i * ds,
                            s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, so + i * ss));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    d.set(ValueLayout.JAVA_BYTE, dO + i * ds, s.get(ValueLayout.JAVA_BYTE, so + i * ss));
                }
            }
        }
    }
}
