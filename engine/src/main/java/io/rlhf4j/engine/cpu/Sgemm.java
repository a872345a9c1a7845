package io.rlhf4j.engine.cpu;

import static io.rlhf4j.engine.cpu.SgemmMicroKernel.MR;
import static io.rlhf4j.engine.cpu.SgemmMicroKernel.NR;

import java.lang.foreign.MemorySegment;

/**
 * Single-precision matrix product on the CPU, row-major, on off-heap F32 (little-endian)
 * operands. C must not overlap A or B.
 *
 * <p>Routing: products under {@value #SMALL_MNK} multiply-adds, and thin ones (fewer than
 * {@value #THIN} rows of C; with B transposed, whose packing costs the most, fewer than
 * {@value #THIN_TRANS_B} rows or {@value #NARROW_TRANS_B} columns) go to {@link SgemmDirect} (no
 * packing); the rest to {@link SgemmPacked} (packed panels + register-tiled micro-kernel). The
 * route depends on the shape alone.
 *
 * <p>Work is split over {@link Parallel} by whole micro-tile rows or columns of C (or whole
 * products of a batch), and every C element is computed by one thread in a fixed k order: results
 * are bitwise the same from run to run and for any thread count.
 *
 * <p>Speed note: C1 cannot compile the micro-kernel ("out of virtual registers"), and under
 * tiered compilation it was seen to stay interpreted (~1 GFLOP/s) for 1 to over 3 seconds before
 * C2 took it. Long runs do not care; benchmarks and latency-sensitive runs should use
 * {@code -XX:-TieredCompilation}.
 */
public final class Sgemm {

    /** Below this m·n·k, packing and threading cost more than they save. */
    static final long SMALL_MNK = 32 * 1024;
    /**
     * Below these row counts the direct path beats packing (measured at n·k = 2048², 512·4096):
     * thin products are bound by reading B, which packing reads twice and writes once. With B
     * transposed (x·Wᵀ of a Linear), packing gathers W column by column, slow when W comes from
     * memory: a 32-token prefill of the SmolLM-135M shape took 149 ms packed and 65 ms direct,
     * 64 tokens 198 and 120 ms, 128 tokens 173 and 215 ms.
     */
    static final int THIN = 4;
    static final int THIN_TRANS_B = 96;
    /**
     * Below this column count, B transposed, the direct dot form beats packing (m = k = 2048:
     * 2× at n = 16, level at 32, packing 1.7× ahead at 64) — a value head's x·wᵀ, for one.
     */
    static final int NARROW_TRANS_B = 32;
    /** Multiply-adds per thread below which a second thread costs more than it saves. */
    private static final long MIN_MNK_PER_THREAD = 1L << 19;
    /**
     * The same for the direct route, which is bound by reading B rather than by FMAs. With the
     * 2^19 threshold every decode projection of the SmolLM-135M shape (m = 1, n·k ≤ 576·1536)
     * ran on one thread, and decode read its weights at ~16 GB/s on average (33 ms/token in F32);
     * split from 2^16 multiply-adds (256 KB of F32 B), 27 GB/s (20 ms/token).
     */
    private static final long MIN_DIRECT_MNK_PER_THREAD = 1L << 16;

    private Sgemm() {
    }

    /**
     * C[m×n] = op(A)·op(B) (+ C if accumulate). op(A) is m×k: A stored row-major m×k with row
     * stride lda, or if transA, stored k×m (A^T) with row stride lda. Same for B (k×n, or n×k if
     * transB). Offsets are in floats.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
            MemorySegment a, long aOffset, int lda,
            MemorySegment b, long bOffset, int ldb,
            MemorySegment c, long cOffset, int ldc, boolean accumulate) {
        SgemmProblem q = new SgemmProblem(transA, transB, m, n, k, a, aOffset, lda,
                b, bOffset, ldb, c, cOffset, ldc, accumulate);
        GemmChecks.check(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb,
                c, cOffset, ldc, 1, 0, 0, 0, Float.BYTES);
        if (m == 0 || n == 0) {
            return;
        }
        run(q, true);
    }

    /**
     * batch independent products; operand i starts at offset + i*stride (stride 0 = broadcast
     * the same operand).
     */
    public static void sgemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
            MemorySegment a, long aOffset, long strideA, int lda,
            MemorySegment b, long bOffset, long strideB, int ldb,
            MemorySegment c, long cOffset, long strideC, int ldc, boolean accumulate) {
        GemmChecks.check(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb,
                c, cOffset, ldc, batch, strideA, strideB, strideC, Float.BYTES);
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        SgemmProblem first = new SgemmProblem(transA, transB, m, n, k, a, aOffset, lda,
                b, bOffset, ldb, c, cOffset, ldc, accumulate);
        int threads = Parallel.threads();
        // Whole products per thread when they divide evenly or are each too small to split;
        // otherwise one product at a time, each split over the threads.
        boolean perProduct = batch >= threads
                && (batch % threads == 0 || first.flops() / 2 < MIN_MNK_PER_THREAD * threads);
        if (perProduct) {
            Parallel.forRange(batch, 1, (start, end) -> {
                for (int i = start; i < end; i++) {
                    run(first.shifted(i * strideA, i * strideB, i * strideC), false);
                }
            });
        } else {
            for (int i = 0; i < batch; i++) {
                run(first.shifted(i * strideA, i * strideB, i * strideC), true);
            }
        }
    }

    private static void run(SgemmProblem q, boolean parallel) {
        int m = q.m();
        int n = q.n();
        if (q.k() == 0) {
            if (!q.accumulate()) {
                zero(q);
            }
            return;
        }
        long mnk = q.flops() / 2;
        boolean direct = mnk < SMALL_MNK
                || (q.transB() ? m < THIN_TRANS_B || n < NARROW_TRANS_B : m < THIN);
        long perThread = direct ? MIN_DIRECT_MNK_PER_THREAD : MIN_MNK_PER_THREAD;
        int maxThreads = parallel ? (int) Math.max(1, mnk / perThread) : 1;
        if (direct) {
            // Split the longer side of C: a thin C splits its columns, so each thread reads
            // only its part of B; a narrow one its rows, so each reads only its part of A.
            if (n >= m) {
                Parallel.forRange(n, Math.max(1, n / maxThreads),
                        (j0, j1) -> SgemmDirect.compute(q, 0, m, j0, j1));
            } else {
                Parallel.forRange(m, Math.max(1, m / maxThreads),
                        (i0, i1) -> SgemmDirect.compute(q, i0, i1, 0, n));
            }
            return;
        }
        // Split by whole NR-column or MR-row panels, whichever leaves the busiest thread less.
        int colPanels = SgemmPacked.ceil(n, NR);
        int rowPanels = SgemmPacked.ceil(m, MR);
        int t = Math.min(maxThreads, Parallel.threads());
        long byCols = (long) SgemmPacked.ceil(colPanels, t) * NR * m;
        long byRows = (long) SgemmPacked.ceil(rowPanels, t) * MR * n;
        if (byCols <= byRows) {
            Parallel.forRange(colPanels, Math.max(1, colPanels / t),
                    (p0, p1) -> SgemmPacked.compute(q, 0, m, p0 * NR, Math.min(n, p1 * NR)));
        } else {
            Parallel.forRange(rowPanels, Math.max(1, rowPanels / t),
                    (p0, p1) -> SgemmPacked.compute(q, p0 * MR, Math.min(m, p1 * MR), 0, n));
        }
    }

    private static void zero(SgemmProblem q) {
        for (int i = 0; i < q.m(); i++) {
            long row = (q.cOff() + (long) i * q.ldc()) * Float.BYTES;
            q.c().asSlice(row, (long) q.n() * Float.BYTES).fill((byte) 0);
        }
    }
}
