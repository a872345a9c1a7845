package io.rlhf4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled inner kernel of {@link SgemmPacked}: one MR×NR tile of C from a packed
 * MR×kc panel of A and a packed kc×NR panel of B.
 *
 * <p>Scheme: NR is {@value #NV} vectors of the preferred species (64 floats on AVX-512), MR = 6
 * rows, so the 24 accumulators live in local {@code FloatVector} variables (24 of the 32 zmm
 * registers; 4 hold the B row, 1 the broadcast A value). Per k: 4 vector loads of B, 6 broadcasts of
 * A, 24 FMAs. The k loop is unrolled twice by hand (the notes measured 4× unrolling much slower).
 * With a narrower species the kernel is the same code and stays correct, only NR shrinks.
 *
 * <p>Every C element is the FMA chain over k in order starting from 0, then added to C (or stored
 * into it), whichever tile or thread computes it: results do not depend on tile position, edge
 * handling or thread count.
 */
final class SgemmMicroKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    static final int MR = 6;
    static final int NV = 4;
    static final int NR = NV * L;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long FLOAT_BYTES = 4;

    private SgemmMicroKernel() {
    }

    /**
     * C[rows×cols] at float index {@code cIndex} (row stride {@code ldc}) = (C +) A·B over
     * {@code kc}, A packed as kc columns of MR floats from {@code aOff}, B packed as kc rows of NR
     * floats from {@code bOff}. Rows past {@code rows} and columns past {@code cols} are computed
     * from the zero padding of the packed panels and dropped; {@code scratch} (MR·NR floats) holds
     * such an edge tile before it is written.
     */
    static void tile(int kc, float[] a, int aOff, float[] b, int bOff,
            MemorySegment c, long cIndex, int ldc, int rows, int cols, boolean add, float[] scratch) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        int ai = aOff;
        int bi = bOff;
        int k = 0;
        for (; k + 1 < kc; k += 2) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01); c02 = b2.fma(av, c02); c03 = b3.fma(av, c03);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11); c12 = b2.fma(av, c12); c13 = b3.fma(av, c13);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21); c22 = b2.fma(av, c22); c23 = b3.fma(av, c23);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31); c32 = b2.fma(av, c32); c33 = b3.fma(av, c33);
            av = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = b0.fma(av, c40); c41 = b1.fma(av, c41); c42 = b2.fma(av, c42); c43 = b3.fma(av, c43);
            av = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = b0.fma(av, c50); c51 = b1.fma(av, c51); c52 = b2.fma(av, c52); c53 = b3.fma(av, c53);

            b0 = FloatVector.fromArray(SPECIES, b, bi + NR);
            b1 = FloatVector.fromArray(SPECIES, b, bi + NR + L);
            b2 = FloatVector.fromArray(SPECIES, b, bi + NR + 2 * L);
            b3 = FloatVector.fromArray(SPECIES, b, bi + NR + 3 * L);
            av = FloatVector.broadcast(SPECIES, a[ai + MR]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01); c02 = b2.fma(av, c02); c03 = b3.fma(av, c03);
            av = FloatVector.broadcast(SPECIES, a[ai + MR + 1]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11); c12 = b2.fma(av, c12); c13 = b3.fma(av, c13);
            av = FloatVector.broadcast(SPECIES, a[ai + MR + 2]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21); c22 = b2.fma(av, c22); c23 = b3.fma(av, c23);
            av = FloatVector.broadcast(SPECIES, a[ai + MR + 3]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31); c32 = b2.fma(av, c32); c33 = b3.fma(av, c33);
            av = FloatVector.broadcast(SPECIES, a[ai + MR + 4]);
            c40 = b0.fma(av, c40); c41 = b1.fma(av, c41); c42 = b2.fma(av, c42); c43 = b3.fma(av, c43);
            av = FloatVector.broadcast(SPECIES, a[ai + MR + 5]);
            c50 = b0.fma(av, c50); c51 = b1.fma(av, c51); c52 = b2.fma(av, c52); c53 = b3.fma(av, c53);
            ai += 2 * MR;
            bi += 2 * NR;
        }
        if (k < kc) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01); c02 = b2.fma(av, c02); c03 = b3.fma(av, c03);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11); c12 = b2.fma(av, c12); c13 = b3.fma(av, c13);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21); c22 = b2.fma(av, c22); c23 = b3.fma(av, c23);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31); c32 = b2.fma(av, c32); c33 = b3.fma(av, c33);
            av = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = b0.fma(av, c40); c41 = b1.fma(av, c41); c42 = b2.fma(av, c42); c43 = b3.fma(av, c43);
            av = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = b0.fma(av, c50); c51 = b1.fma(av, c51); c52 = b2.fma(av, c52); c53 = b3.fma(av, c53);
        }
        if (rows == MR && cols == NR) {
            // written out by hand: a helper taking vectors fails to inline here (node count
            // cutoff) and would box all 24 accumulators
            long o = cIndex * FLOAT_BYTES;
            long stride = ldc * FLOAT_BYTES;
            long v = L * FLOAT_BYTES;
            if (add) {
                c00 = c00.add(FloatVector.fromMemorySegment(SPECIES, c, o, LE));
                c01 = c01.add(FloatVector.fromMemorySegment(SPECIES, c, o + 1 * v, LE));
                c02 = c02.add(FloatVector.fromMemorySegment(SPECIES, c, o + 2 * v, LE));
                c03 = c03.add(FloatVector.fromMemorySegment(SPECIES, c, o + 3 * v, LE));
                c10 = c10.add(FloatVector.fromMemorySegment(SPECIES, c, o + 1 * stride, LE));
                c11 = c11.add(FloatVector.fromMemorySegment(SPECIES, c, o + 1 * stride + 1 * v, LE));
                c12 = c12.add(FloatVector.fromMemorySegment(SPECIES, c, o + 1 * stride + 2 * v, LE));
                c13 = c13.add(FloatVector.fromMemorySegment(SPECIES, c, o + 1 * stride + 3 * v, LE));
                c20 = c20.add(FloatVector.fromMemorySegment(SPECIES, c, o + 2 * stride, LE));
                c21 = c21.add(FloatVector.fromMemorySegment(SPECIES, c, o + 2 * stride + 1 * v, LE));
                c22 = c22.add(FloatVector.fromMemorySegment(SPECIES, c, o + 2 * stride + 2 * v, LE));
                c23 = c23.add(FloatVector.fromMemorySegment(SPECIES, c, o + 2 * stride + 3 * v, LE));
                c30 = c30.add(FloatVector.fromMemorySegment(SPECIES, c, o + 3 * stride, LE));
                c31 = c31.add(FloatVector.fromMemorySegment(SPECIES, c, o + 3 * stride + 1 * v, LE));
                c32 = c32.add(FloatVector.fromMemorySegment(SPECIES, c, o + 3 * stride + 2 * v, LE));
                c33 = c33.add(FloatVector.fromMemorySegment(SPECIES, c, o + 3 * stride + 3 * v, LE));
                c40 = c40.add(FloatVector.fromMemorySegment(SPECIES, c, o + 4 * stride, LE));
                c41 = c41.add(FloatVector.fromMemorySegment(SPECIES, c, o + 4 * stride + 1 * v, LE));
                c42 = c42.add(FloatVector.fromMemorySegment(SPECIES, c, o + 4 * stride + 2 * v, LE));
                c43 = c43.add(FloatVector.fromMemorySegment(SPECIES, c, o + 4 * stride + 3 * v, LE));
                c50 = c50.add(FloatVector.fromMemorySegment(SPECIES, c, o + 5 * stride, LE));
                c51 = c51.add(FloatVector.fromMemorySegment(SPECIES, c, o + 5 * stride + 1 * v, LE));
                c52 = c52.add(FloatVector.fromMemorySegment(SPECIES, c, o + 5 * stride + 2 * v, LE));
                c53 = c53.add(FloatVector.fromMemorySegment(SPECIES, c, o + 5 * stride + 3 * v, LE));
            }
            c00.intoMemorySegment(c, o, LE);
            c01.intoMemorySegment(c, o + 1 * v, LE);
            c02.intoMemorySegment(c, o + 2 * v, LE);
            c03.intoMemorySegment(c, o + 3 * v, LE);
            c10.intoMemorySegment(c, o + 1 * stride, LE);
            c11.intoMemorySegment(c, o + 1 * stride + 1 * v, LE);
            c12.intoMemorySegment(c, o + 1 * stride + 2 * v, LE);
            c13.intoMemorySegment(c, o + 1 * stride + 3 * v, LE);
            c20.intoMemorySegment(c, o + 2 * stride, LE);
            c21.intoMemorySegment(c, o + 2 * stride + 1 * v, LE);
            c22.intoMemorySegment(c, o + 2 * stride + 2 * v, LE);
            c23.intoMemorySegment(c, o + 2 * stride + 3 * v, LE);
            c30.intoMemorySegment(c, o + 3 * stride, LE);
            c31.intoMemorySegment(c, o + 3 * stride + 1 * v, LE);
            c32.intoMemorySegment(c, o + 3 * stride + 2 * v, LE);
            c33.intoMemorySegment(c, o + 3 * stride + 3 * v, LE);
            c40.intoMemorySegment(c, o + 4 * stride, LE);
            c41.intoMemorySegment(c, o + 4 * stride + 1 * v, LE);
            c42.intoMemorySegment(c, o + 4 * stride + 2 * v, LE);
            c43.intoMemorySegment(c, o + 4 * stride + 3 * v, LE);
            c50.intoMemorySegment(c, o + 5 * stride, LE);
            c51.intoMemorySegment(c, o + 5 * stride + 1 * v, LE);
            c52.intoMemorySegment(c, o + 5 * stride + 2 * v, LE);
            c53.intoMemorySegment(c, o + 5 * stride + 3 * v, LE);
            return;
        }
        c00.intoArray(scratch, 0);
        c01.intoArray(scratch, 1 * L);
        c02.intoArray(scratch, 2 * L);
        c03.intoArray(scratch, 3 * L);
        c10.intoArray(scratch, 1 * NR + 0 * L);
        c11.intoArray(scratch, 1 * NR + 1 * L);
        c12.intoArray(scratch, 1 * NR + 2 * L);
        c13.intoArray(scratch, 1 * NR + 3 * L);
        c20.intoArray(scratch, 2 * NR + 0 * L);
        c21.intoArray(scratch, 2 * NR + 1 * L);
        c22.intoArray(scratch, 2 * NR + 2 * L);
        c23.intoArray(scratch, 2 * NR + 3 * L);
        c30.intoArray(scratch, 3 * NR + 0 * L);
        c31.intoArray(scratch, 3 * NR + 1 * L);
        c32.intoArray(scratch, 3 * NR + 2 * L);
        c33.intoArray(scratch, 3 * NR + 3 * L);
        c40.intoArray(scratch, 4 * NR + 0 * L);
        c41.intoArray(scratch, 4 * NR + 1 * L);
        c42.intoArray(scratch, 4 * NR + 2 * L);
        c43.intoArray(scratch, 4 * NR + 3 * L);
        c50.intoArray(scratch, 5 * NR + 0 * L);
        c51.intoArray(scratch, 5 * NR + 1 * L);
        c52.intoArray(scratch, 5 * NR + 2 * L);
        c53.intoArray(scratch, 5 * NR + 3 * L);
        storeEdge(scratch, c, cIndex, ldc, rows, cols, add);
    }

    /** Scalar float addition rounds exactly like the vector add of the full-tile path. */
    private static void storeEdge(float[] t, MemorySegment c, long cIndex, int ldc,
            int rows, int cols, boolean add) {
        for (int i = 0; i < rows; i++) {
            long row = cIndex + (long) i * ldc;
            for (int j = 0; j < cols; j++) {
                float v = t[i * NR + j];
                if (add) {
                    v += c.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, row + j);
                }
                c.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, row + j, v);
            }
        }
    }
}
