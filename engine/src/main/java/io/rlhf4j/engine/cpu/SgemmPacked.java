package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.MR;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.NR;

/**
 * The blocked (Goto/BLIS) SGEMM of one sub-block of C on the calling thread.
 *
 * <p>Loops, outermost first: NC columns of C; KC steps of k (op(B) block kc×nc packed, 1 MiB at
 * most, L2-sized); MC rows (op(A) block mc×kc packed, 192 KiB); MR-row panels of A (6×kc, 12 KiB,
 * stays in L1 while it meets every B panel); NR-column panels of B; micro-kernel.
 *
 * <p>Sizes measured at n = 1024 on 2 threads of a Zen 5 (48 KiB L1d, 1 MiB L2 per core): KC = 512
 * at least level with 256, 768 and 1024 (the notes saw 128–256 lose 10–15% at n ≥ 1024 on
 * another machine); MC 48–192, NC 256–1024 and the opposite panel order within noise.
 */
final class SgemmPacked {

    static final int KC = 512;
    static final int MC = 96;
    static final int NC = 512;

    /** Per-thread packing buffers, sized for the largest blocks. */
    private static final class Buffers {
        final float[] a = new float[ceil(MC, MR) * MR * KC];
        final float[] b = new float[ceil(NC, NR) * NR * KC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private SgemmPacked() {
    }

    /** Computes rows [i0, i1) × columns [j0, j1) of C. */
    static void compute(SgemmProblem q, int i0, int i1, int j0, int j1) {
        Buffers buf = BUFFERS.get();
        int k = q.k();
        // k is cut into equal steps of at most KC, fixed by k alone, so every C element sums its
        // products in the same order whatever the sub-block.
        int kSteps = Math.max(1, ceil(k, KC));
        int kStep = ceil(k, kSteps);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                int depth = kc + (kc & 1); // the kernel takes k two at a time
                SgemmPacking.packB(q, pc, kc, depth, jc, nc, buf.b);
                boolean add = q.accumulate() || pc > 0;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    SgemmPacking.packA(q, ic, mc, pc, kc, depth, buf.a);
                    macroKernel(q, buf, depth, ic, mc, jc, nc, add);
                }
            }
        }
    }

    private static void macroKernel(SgemmProblem q, Buffers buf, int depth, int ic, int mc,
            int jc, int nc, boolean add) {
        int ldc = q.ldc();
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            for (int jr = 0; jr < nc; jr += NR) {
                int cols = Math.min(NR, nc - jr);
                long cIndex = q.cOff() + (long) (ic + ir) * ldc + jc + jr;
                SgemmMicroKernel.tile(depth, buf.a, ir * depth, buf.b, jr * depth, buf.tile);
                if (rows < MR || cols < NR) {
                    SgemmMicroKernel.storeEdge(buf.tile, q.c(), cIndex, ldc, rows, cols, add);
                } else if (add) {
                    SgemmMicroKernel.addFull(buf.tile, q.c(), cIndex, ldc);
                } else {
                    SgemmMicroKernel.storeFull(buf.tile, q.c(), cIndex, ldc);
                }
            }
        }
    }

    static int ceil(int x, int y) {
        return (x + y - 1) / y;
    }
}
