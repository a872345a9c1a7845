package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.L;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.MR;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.NR;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.SPECIES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Copies blocks of op(A) and op(B) into the panel layouts {@link SgemmMicroKernel} reads, zero
 * padding partial panels. Transposed operands are handled here, while copying, so no transposed
 * copy of an operand is ever made.
 *
 * <p>A block (mc×kc) → ⌈mc/MR⌉ panels of depth columns × MR floats (A(i..i+MR-1, p) adjacent).
 * B block (kc×nc) → ⌈nc/NR⌉ panels of depth rows × NR floats (B(p, j..j+NR-1) adjacent).
 * depth is kc or kc + 1, the extra column/row zero.
 */
final class SgemmPacking {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane i of a vector goes to panel row i: offsets of one panel column. */
    private static final int[] PANEL_COLUMN = IntStream.range(0, L).map(i -> i * NR).toArray();

    private SgemmPacking() {
    }

    /** Packs op(A)(i0..i0+mc-1, p0..p0+kc-1) into {@code dst} from index 0. */
    static void packA(SgemmProblem q, int i0, int mc, int p0, int kc, int depth, float[] dst) {
        if (q.transA()) {
            packATransposed(q, i0, mc, p0, kc, depth, dst);
        } else {
            packARows(q, i0, mc, p0, kc, depth, dst);
        }
        for (int ir = 0; ir < mc; ir += MR) {
            Arrays.fill(dst, ir * depth + kc * MR, (ir + MR) * depth, 0f);
        }
    }

    /** A stored m×k: each panel row is a contiguous run of kc floats, spread MR apart. */
    private static void packARows(SgemmProblem q, int i0, int mc, int p0, int kc, int depth,
            float[] dst) {
        MemorySegment a = q.a();
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int panel = ir * depth;
            for (int r = 0; r < MR; r++) {
                if (r < rows) {
                    long src = q.aOff() + (long) (i0 + ir + r) * q.lda() + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * MR + r] = a.getAtIndex(F32, src + p);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * A stored k×m: stored row p holds column p of every panel, MR adjacent floats per panel.
     * Rows are taken pb at a time and spread over all panels of the block, so each stored row is
     * read once while it is in L1 and each panel gets pb·MR contiguous floats per pass (walking
     * one panel at a time re-reads each line for ~3 panels and was 3× slower).
     */
    private static void packATransposed(SgemmProblem q, int i0, int mc, int p0, int kc,
            int depth, float[] dst) {
        final int pb = 8;
        MemorySegment a = q.a();
        long lda = q.lda();
        for (int pStart = 0; pStart < kc; pStart += pb) {
            int pEnd = Math.min(kc, pStart + pb);
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                long src = q.aOff() + (p0 + pStart) * lda + i0 + ir;
                for (int p = pStart, d = ir * depth + pStart * MR; p < pEnd;
                        p++, d += MR, src += lda) {
                    if (rows == MR) {
                        for (int r = 0; r < MR; r++) {
                            dst[d + r] = a.getAtIndex(F32, src + r);
                        }
                    } else {
                        for (int r = 0; r < MR; r++) {
                            dst[d + r] = r < rows ? a.getAtIndex(F32, src + r) : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B)(p0..p0+kc-1, j0..j0+nc-1) into {@code dst} from index 0. */
    static void packB(SgemmProblem q, int p0, int kc, int depth, int j0, int nc, float[] dst) {
        for (int jr = 0, panel = 0; jr < nc; jr += NR, panel += NR * depth) {
            int cols = Math.min(NR, nc - jr);
            if (q.transB()) {
                packBTransposed(q, p0, kc, j0 + jr, cols, dst, panel);
            } else if (cols == NR) {
                packBRows(q, p0, kc, j0 + jr, dst, panel);
            } else {
                packBRowsEdge(q, p0, kc, j0 + jr, cols, dst, panel);
            }
            Arrays.fill(dst, panel + kc * NR, panel + depth * NR, 0f);
        }
    }

    /** op(B) rows are contiguous (B stored k×n): vector copies. */
    private static void packBRows(SgemmProblem q, int p0, int kc, int j, float[] dst, int panel) {
        MemorySegment b = q.b();
        long rowBytes = (long) q.ldb() * Float.BYTES;
        long src = (q.bOff() + (long) p0 * q.ldb() + j) * Float.BYTES;
        for (int p = 0, d = panel; p < kc; p++, d += NR, src += rowBytes) {
            for (int v = 0; v < NR; v += L) {
                FloatVector.fromMemorySegment(SPECIES, b, src + (long) v * Float.BYTES, LE)
                        .intoArray(dst, d + v);
            }
        }
    }

    /**
     * The last, partial panel of {@link #packBRows}: masked copies, zeros past the right edge.
     * A method of its own so that it is never a cold branch of the full-panel loop (C2 would
     * leave its vector calls un-inlined).
     */
    private static void packBRowsEdge(SgemmProblem q, int p0, int kc, int j, int cols,
            float[] dst, int panel) {
        MemorySegment b = q.b();
        long rowBytes = (long) q.ldb() * Float.BYTES;
        long src = (q.bOff() + (long) p0 * q.ldb() + j) * Float.BYTES;
        for (int p = 0, d = panel; p < kc; p++, d += NR, src += rowBytes) {
            for (int v = 0; v < NR; v += L) {
                VectorMask<Float> live = SPECIES.indexInRange(v, cols);
                FloatVector.fromMemorySegment(SPECIES, b, src + (long) v * Float.BYTES, LE, live)
                        .intoArray(dst, d + v);
            }
        }
    }

    /**
     * op(B) columns are contiguous (B stored n×k): each stored row j fills one column of the
     * panel, L floats at a time by a vector load and a scatter store down the column (AVX-512
     * vscatterdps: 0.35 ns per element against 0.6 for a scalar copy; the L panel rows being
     * filled, 4 KiB, stay in L1). Where the hardware has no scatter the Vector API runs it as a
     * lane loop: correct, slower.
     */
    private static void packBTransposed(SgemmProblem q, int p0, int kc, int j, int cols,
            float[] dst, int panel) {
        MemorySegment b = q.b();
        long ldb = q.ldb();
        for (int pb = 0; pb < kc; pb += L) {
            VectorMask<Float> live = SPECIES.indexInRange(pb, kc);
            int column = panel + pb * NR;
            for (int jj = 0; jj < cols; jj++, column++) {
                long src = (q.bOff() + (j + jj) * ldb + p0 + pb) * Float.BYTES;
                FloatVector.fromMemorySegment(SPECIES, b, src, LE, live)
                        .intoArray(dst, column, PANEL_COLUMN, 0, live);
            }
            for (int jj = cols; jj < NR; jj++, column++) {
                FloatVector.zero(SPECIES).intoArray(dst, column, PANEL_COLUMN, 0, live);
            }
        }
    }
}
