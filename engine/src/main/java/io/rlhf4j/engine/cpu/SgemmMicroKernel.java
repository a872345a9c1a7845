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
 * registers; 4 hold the B row, 1 the broadcast A value). Per k: 4 vector loads of B, 6
 * broadcasts of A, 24 FMAs. The k loop is unrolled twice by hand: ~250 GFLOP/s on one core with
 * panels in L1/L2 (peak 264), where no unrolling gave 200–250 and the notes measured 4× much
 * slower; the panels are padded with zeros to an even depth so there is no tail. With a narrower
 * species the kernel is the same code and stays correct, only NR shrinks.
 *
 * <p>Every C element is the FMA chain over k in order starting from 0, then added to C (or stored
 * into it), whichever tile or thread computes it: results do not depend on tile position, edge
 * handling or thread count. (A zero pad step adds 0·0, which can only turn a −0 sum into +0.)
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
     * out[MR×NR] = A·B over {@code depth} (even), A packed as depth columns of MR floats from
     * {@code aOff}, B packed as depth rows of NR floats from {@code bOff}.
     *
     * <p>The method is the k loop and nothing else: the tile goes to {@code out} (L1, 24 vector
     * stores per depth·24 FMAs) and {@link #storeFull}, {@link #addFull} or {@link #storeEdge}
     * write it to C. A branch
     * here that the first C2 compile never saw taken (an odd-depth tail, an edge tile) is compiled
     * without inlining its Vector API calls, boxing every accumulator each time it runs later.
     */
    static void tile(int depth, float[] a, int aOff, float[] b, int bOff, float[] out) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        int ai = aOff;
        int bi = bOff;
        // This loop header, exactly: "for (int k = 0; k < depth; k += 2)" compiles to a loop that
        // measured 150 instead of 245 GFLOP/s.
        int k = 0;
        for (; k + 1 < depth; k += 2) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42); c43 = b3.fma(x, c43);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52); c53 = b3.fma(x, c53);

            b0 = FloatVector.fromArray(SPECIES, b, bi + NR);
            b1 = FloatVector.fromArray(SPECIES, b, bi + NR + L);
            b2 = FloatVector.fromArray(SPECIES, b, bi + NR + 2 * L);
            b3 = FloatVector.fromArray(SPECIES, b, bi + NR + 3 * L);
            x = FloatVector.broadcast(SPECIES, a[ai + MR]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(SPECIES, a[ai + MR + 1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(SPECIES, a[ai + MR + 2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(SPECIES, a[ai + MR + 3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
            x = FloatVector.broadcast(SPECIES, a[ai + MR + 4]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42); c43 = b3.fma(x, c43);
            x = FloatVector.broadcast(SPECIES, a[ai + MR + 5]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52); c53 = b3.fma(x, c53);
            ai += 2 * MR;
            bi += 2 * NR;
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, L);
        c02.intoArray(out, 2 * L);
        c03.intoArray(out, 3 * L);
        c10.intoArray(out, NR);
        c11.intoArray(out, NR + L);
        c12.intoArray(out, NR + 2 * L);
        c13.intoArray(out, NR + 3 * L);
        c20.intoArray(out, 2 * NR);
        c21.intoArray(out, 2 * NR + L);
        c22.intoArray(out, 2 * NR + 2 * L);
        c23.intoArray(out, 2 * NR + 3 * L);
        c30.intoArray(out, 3 * NR);
        c31.intoArray(out, 3 * NR + L);
        c32.intoArray(out, 3 * NR + 2 * L);
        c33.intoArray(out, 3 * NR + 3 * L);
        c40.intoArray(out, 4 * NR);
        c41.intoArray(out, 4 * NR + L);
        c42.intoArray(out, 4 * NR + 2 * L);
        c43.intoArray(out, 4 * NR + 3 * L);
        c50.intoArray(out, 5 * NR);
        c51.intoArray(out, 5 * NR + L);
        c52.intoArray(out, 5 * NR + 2 * L);
        c53.intoArray(out, 5 * NR + 3 * L);
    }

    /** C[MR×NR] at float index {@code cIndex} (row stride {@code ldc}) = tile. */
    static void storeFull(float[] tile, MemorySegment c, long cIndex, int ldc) {
        for (int r = 0; r < MR; r++) {
            long row = (cIndex + (long) r * ldc) * FLOAT_BYTES;
            for (int v = 0; v < NR; v += L) {
                FloatVector.fromArray(SPECIES, tile, r * NR + v)
                        .intoMemorySegment(c, row + v * FLOAT_BYTES, LE);
            }
        }
    }

    /** C[MR×NR] += tile; a method apart from {@link #storeFull}, so neither is a cold branch. */
    static void addFull(float[] tile, MemorySegment c, long cIndex, int ldc) {
        for (int r = 0; r < MR; r++) {
            long row = (cIndex + (long) r * ldc) * FLOAT_BYTES;
            for (int v = 0; v < NR; v += L) {
                long at = row + v * FLOAT_BYTES;
                FloatVector.fromArray(SPECIES, tile, r * NR + v)
                        .add(FloatVector.fromMemorySegment(SPECIES, c, at, LE))
                        .intoMemorySegment(c, at, LE);
            }
        }
    }

    /**
     * The rows×cols corner of the tile, for tiles cut by the edge of C (the rest was computed
     * from the zero padding of the panels). Scalar float addition rounds exactly like the vector
     * add of {@link #addFull}.
     */
    static void storeEdge(float[] t, MemorySegment c, long cIndex, int ldc,
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
