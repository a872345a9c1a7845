package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.L;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.MR;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.NR;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.SPECIES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Copies blocks of op(A) and op(B) into the panel layouts {@link SgemmMicroKernel} reads, zero
 * padding partial panels. Transposed operands are handled here, while copying, so no transposed
 * copy of an operand is ever made.
 *
 * <p>A block (mc×kc) → ⌈mc/MR⌉ panels of kc columns × MR floats (A(i..i+MR-1, p) adjacent).
 * B block (kc×nc) → ⌈nc/NR⌉ panels of kc rows × NR floats (B(p, j..j+NR-1) adjacent).
 */
final class SgemmPacking {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private SgemmPacking() {
    }

    /** Packs op(A)(i0..i0+mc-1, p0..p0+kc-1) into {@code dst} from index 0. */
    static void packA(SgemmProblem q, int i0, int mc, int p0, int kc, float[] dst) {
        MemorySegment a = q.a();
        long lda = q.lda();
        for (int ir = 0, panel = 0; ir < mc; ir += MR, panel += MR * kc) {
            int rows = Math.min(MR, mc - ir);
            if (q.transA()) {
                // stored k×m: the MR values of one column of the panel are adjacent in memory
                long src = q.aOff() + (long) p0 * lda + i0 + ir;
                for (int p = 0, d = panel; p < kc; p++, d += MR, src += lda) {
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a.getAtIndex(F32, src + r);
                    }
                    for (int r = rows; r < MR; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {
                // stored m×k: each panel row is a contiguous run of kc floats
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        long src = q.aOff() + (long) (i0 + ir + r) * lda + p0;
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
    }

    /** Packs op(B)(p0..p0+kc-1, j0..j0+nc-1) into {@code dst} from index 0. */
    static void packB(SgemmProblem q, int p0, int kc, int j0, int nc, float[] dst) {
        for (int jr = 0, panel = 0; jr < nc; jr += NR, panel += NR * kc) {
            int cols = Math.min(NR, nc - jr);
            if (q.transB()) {
                packBTransposed(q, p0, kc, j0 + jr, cols, dst, panel);
            } else {
                packBRows(q, p0, kc, j0 + jr, cols, dst, panel);
            }
        }
    }

    /** op(B) rows are contiguous (B stored k×n): vector copies, masked at the right edge. */
    private static void packBRows(SgemmProblem q, int p0, int kc, int j, int cols,
            float[] dst, int panel) {
        MemorySegment b = q.b();
        long rowBytes = (long) q.ldb() * Float.BYTES;
        long src = (q.bOff() + (long) p0 * q.ldb() + j) * Float.BYTES;
        if (cols == NR) {
            for (int p = 0, d = panel; p < kc; p++, d += NR, src += rowBytes) {
                for (int v = 0; v < NR; v += L) {
                    FloatVector.fromMemorySegment(SPECIES, b, src + (long) v * Float.BYTES, LE)
                            .intoArray(dst, d + v);
                }
            }
            return;
        }
        for (int p = 0, d = panel; p < kc; p++, d += NR, src += rowBytes) {
            for (int v = 0; v < NR; v += L) {
                VectorMask<Float> live = SPECIES.indexInRange(v, cols);
                FloatVector.fromMemorySegment(SPECIES, b, src + (long) v * Float.BYTES, LE, live)
                        .intoArray(dst, d + v);
            }
        }
    }

    /**
     * op(B) columns are contiguous (B stored n×k): each source row j fills one lane column of the
     * panel. Done KB rows of the panel at a time so the lines being filled stay in L1.
     */
    private static void packBTransposed(SgemmProblem q, int p0, int kc, int j, int cols,
            float[] dst, int panel) {
        final int kb = 16;
        MemorySegment b = q.b();
        long ldb = q.ldb();
        for (int pb = 0; pb < kc; pb += kb) {
            int pe = Math.min(kc, pb + kb);
            for (int jj = 0; jj < cols; jj++) {
                long src = q.bOff() + (j + jj) * ldb + p0;
                for (int p = pb; p < pe; p++) {
                    dst[panel + p * NR + jj] = b.getAtIndex(F32, src + p);
                }
            }
            for (int jj = cols; jj < NR; jj++) {
                for (int p = pb; p < pe; p++) {
                    dst[panel + p * NR + jj] = 0f;
                }
            }
        }
    }
}
