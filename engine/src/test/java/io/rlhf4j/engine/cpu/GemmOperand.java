package io.rlhf4j.engine.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * A test operand: {@code batch} row-major rows×cols matrices in one native segment, the first at
 * {@code offset}, rows {@code ld} apart, entries {@code stride} apart, every other element
 * (padding) holding a sentinel so stray writes show. Values are kept in double precision as
 * well, for the references.
 */
final class GemmOperand {

    static final double SENTINEL = -12345.0;

    final int rows;
    final int cols;
    final int ld;
    final long offset;
    final long stride;
    final int batch;
    final MemorySegment segment;
    final boolean isDouble;

    private GemmOperand(int batch, int rows, int cols, int ld, long offset, long stride,
            boolean isDouble, MemorySegment segment) {
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
        this.offset = offset;
        this.stride = stride;
        this.batch = batch;
        this.isDouble = isDouble;
        this.segment = segment;
    }

    /** A new segment big enough for the layout, every element at the sentinel. */
    private static GemmOperand allocate(int batch, int rows, int cols, int ld, long offset,
            long stride, boolean isDouble) {
        long elements = offset + Math.max(0, batch - 1) * stride + (long) rows * ld + 3;
        MemorySegment s = Arena.ofAuto().allocate(elements * (isDouble ? 8 : 4), 64);
        GemmOperand o = new GemmOperand(batch, rows, cols, ld, offset, stride, isDouble, s);
        for (long e = 0; e < elements; e++) {
            o.put(e, SENTINEL);
        }
        return o;
    }

    /** Another layout over the same segment: batch entries of rows×cols, {@code stride} apart. */
    static GemmOperand view(GemmOperand o, int batch, int rows, int cols, long stride) {
        return new GemmOperand(batch, rows, cols, o.ld, o.offset, stride, o.isDouble, o.segment);
    }

    /** Random normal entries; the padding around them stays at the sentinel. */
    static GemmOperand random(Random rnd, int batch, int rows, int cols, long stride,
            boolean isDouble) {
        int ld = cols + rnd.nextInt(3);
        long offset = rnd.nextInt(5);
        GemmOperand o = allocate(batch, rows, cols, ld, offset,
                stride < 0 ? (long) rows * ld + rnd.nextInt(4) : stride, isDouble);
        for (int e = 0; e < (o.stride == 0 ? 1 : batch); e++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    o.set(e, i, j, rnd.nextGaussian());
                }
            }
        }
        return o;
    }

    static GemmOperand random(Random rnd, int rows, int cols, boolean isDouble) {
        return random(rnd, 1, rows, cols, -1, isDouble);
    }

    /** A copy with the same layout and contents. */
    GemmOperand copy() {
        GemmOperand o = allocate(batch, rows, cols, ld, offset, stride, isDouble);
        o.segment.copyFrom(segment);
        return o;
    }

    long index(int entry, int i, int j) {
        return offset + entry * stride + (long) i * ld + j;
    }

    double get(int entry, int i, int j) {
        return at(index(entry, i, j));
    }

    void set(int entry, int i, int j, double v) {
        put(index(entry, i, j), v);
    }

    /** Element (i, j) of op(X), X this operand, op = transpose when {@code trans}. */
    double op(int entry, boolean trans, int i, int j) {
        return trans ? get(entry, j, i) : get(entry, i, j);
    }

    double at(long e) {
        return isDouble ? segment.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, e)
                : segment.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e);
    }

    long elements() {
        return segment.byteSize() / bytes();
    }

    private void put(long e, double v) {
        if (isDouble) {
            segment.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, e, v);
        } else {
            segment.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e, (float) v);
        }
    }

    private int bytes() {
        return isDouble ? Double.BYTES : Float.BYTES;
    }
}
