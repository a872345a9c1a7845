package io.rlhf4j.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sgemm against a naive double-precision product. Tolerance: |C − ref| ≤ 1e-5 · Σ_p|a·b|
 * (~170 float ulps of the sum of magnitudes; typical error is a few ulps, while a missing or
 * misplaced term at k ≤ 1500 is ≥ 6e-4 of it). Shapes cover the direct path (small and thin
 * products), the packed path with full and partial micro-tiles (MR = 6 rows, NR = 4 vectors),
 * several KC steps of k, and sizes not multiple of anything.
 */
class SgemmTest {

    private static final double RTOL = 1e-5;

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {2, 3, 4}, {7, 1, 1}, {1, 7, 1}, {7, 13, 1}, {16, 16, 16}, {31, 33, 35},
            {6, 64, 512}, {7, 65, 513}, {13, 130, 600}, {100, 200, 50}, {64, 1000, 17},
            {2, 1000, 300}, {1, 777, 1025}, {1000, 1, 64}, {97, 1000, 1030}, {200, 129, 1500},
            {130, 700, 64}, {40, 40, 40}, {12, 128, 1}, {300, 3, 200}, {500, 13, 300},
        };
        Stream.Builder<Arguments> all = Stream.builder();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                all.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return all.build();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("shapes")
    void matchesReference(int m, int n, int k, boolean transA, boolean transB) {
        Random rnd = new Random(31L * m + 7L * n + k + (transA ? 1000 : 0) + (transB ? 2000 : 0));
        for (boolean accumulate : new boolean[] {false, true}) {
            GemmOperand a = transA ? GemmOperand.random(rnd, k, m, false)
                    : GemmOperand.random(rnd, m, k, false);
            GemmOperand b = transB ? GemmOperand.random(rnd, n, k, false)
                    : GemmOperand.random(rnd, k, n, false);
            GemmOperand before = GemmOperand.random(rnd, m, n, false);
            GemmOperand c = before.copy();
            Sgemm.sgemm(transA, transB, m, n, k, a.segment, a.offset, a.ld, b.segment, b.offset,
                    b.ld, c.segment, c.offset, c.ld, accumulate);
            GemmReference.assertProduct(transA, transB, m, n, k, a, b, before, c, accumulate, RTOL);
        }
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @MethodSource("transposes")
    void batchedWithBroadcastAndInterleavedOutput(boolean transA, boolean transB) {
        Random rnd = new Random((transA ? 1 : 0) + (transB ? 2 : 0));
        int batch = 5;
        for (int[] s : new int[][] {{3, 5, 7}, {37, 70, 90}, {64, 96, 300}}) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            // A per entry, B broadcast (stride 0)
            int ar = transA ? k : m;
            int ac = transA ? m : k;
            int br = transB ? n : k;
            int bc = transB ? k : n;
            GemmOperand a = GemmOperand.random(rnd, batch, ar, ac, -1, false);
            GemmOperand b = GemmOperand.random(rnd, batch, br, bc, 0, false);
            GemmOperand before = GemmOperand.random(rnd, batch, m, n, -1, false);
            GemmOperand c = before.copy();
            Sgemm.sgemmBatched(transA, transB, batch, m, n, k, a.segment, a.offset, a.stride, a.ld,
                    b.segment, b.offset, b.stride, b.ld, c.segment, c.offset, c.stride, c.ld, true);
            GemmReference.assertProduct(transA, transB, m, n, k, a, b, before, c, true, RTOL);

            // A broadcast, C entries interleaved column-wise in one [m, batch·n] matrix
            GemmOperand a0 = GemmOperand.random(rnd, batch, ar, ac, 0, false);
            GemmOperand bs = GemmOperand.random(rnd, batch, br, bc, -1, false);
            GemmOperand wide = GemmOperand.random(rnd, m, batch * n, false);
            GemmOperand cView = GemmOperand.view(wide, batch, m, n, n);
            Sgemm.sgemmBatched(transA, transB, batch, m, n, k, a0.segment, a0.offset, 0, a0.ld,
                    bs.segment, bs.offset, bs.stride, bs.ld, wide.segment, wide.offset, n, wide.ld,
                    false);
            GemmReference.assertProduct(transA, transB, m, n, k, a0, bs, cView, cView, false, RTOL);
        }
    }

    static Stream<Arguments> transposes() {
        return Stream.of(Arguments.of(false, false), Arguments.of(true, false),
                Arguments.of(false, true), Arguments.of(true, true));
    }

    /** Results do not depend on how C is cut into sub-blocks, so not on the thread count. */
    @ParameterizedTest(name = "direct={0} transB={1}")
    @MethodSource("transposes")
    void bitwiseIndependentOfSplit(boolean direct, boolean transB) {
        Random rnd = new Random(5);
        int m = direct ? 7 : 203;
        int n = 517;
        int k = 1100;
        GemmOperand a = GemmOperand.random(rnd, m, k, false);
        GemmOperand b = transB ? GemmOperand.random(rnd, n, k, false)
                : GemmOperand.random(rnd, k, n, false);
        GemmOperand whole = GemmOperand.random(rnd, m, n, false);
        GemmOperand split = whole.copy();
        SgemmProblem q = new SgemmProblem(false, transB, m, n, k, a.segment, a.offset, a.ld,
                b.segment, b.offset, b.ld, whole.segment, whole.offset, whole.ld, true);
        SgemmProblem parts = new SgemmProblem(false, transB, m, n, k, a.segment, a.offset, a.ld,
                b.segment, b.offset, b.ld, split.segment, split.offset, split.ld, true);
        int rowCut = direct ? 3 : 4 * SgemmMicroKernel.MR;
        int colCut = direct ? 101 : 3 * SgemmMicroKernel.NR;
        if (direct) {
            SgemmDirect.compute(q, 0, m, 0, n);
            SgemmDirect.compute(parts, 0, rowCut, 0, colCut);
            SgemmDirect.compute(parts, rowCut, m, 0, colCut);
            SgemmDirect.compute(parts, 0, m, colCut, n);
        } else {
            Sgemm.sgemm(false, transB, m, n, k, a.segment, a.offset, a.ld, b.segment, b.offset,
                    b.ld, whole.segment, whole.offset, whole.ld, true);
            SgemmPacked.compute(parts, 0, rowCut, 0, colCut);
            SgemmPacked.compute(parts, rowCut, m, 0, colCut);
            SgemmPacked.compute(parts, 0, m, colCut, n);
        }
        assertThat(split.segment.mismatch(whole.segment)).isEqualTo(-1L);
    }

    @Test
    void repeatedRunsAreBitwiseEqual() {
        Random rnd = new Random(6);
        int n = 300;
        GemmOperand a = GemmOperand.random(rnd, n, n, false);
        GemmOperand b = GemmOperand.random(rnd, n, n, false);
        GemmOperand first = GemmOperand.random(rnd, n, n, false);
        GemmOperand again = first.copy();
        Sgemm.sgemm(false, false, n, n, n, a.segment, a.offset, a.ld, b.segment, b.offset, b.ld,
                first.segment, first.offset, first.ld, false);
        for (int run = 0; run < 3; run++) {
            Sgemm.sgemm(false, false, n, n, n, a.segment, a.offset, a.ld, b.segment, b.offset,
                    b.ld, again.segment, again.offset, again.ld, false);
            assertThat(again.segment.mismatch(first.segment)).isEqualTo(-1L);
        }
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        Random rnd = new Random(7);
        GemmOperand a = GemmOperand.random(rnd, 4, 1, false);
        GemmOperand b = GemmOperand.random(rnd, 1, 5, false);
        GemmOperand c = GemmOperand.random(rnd, 4, 5, false);
        GemmOperand kept = c.copy();
        Sgemm.sgemm(false, false, 4, 5, 0, a.segment, 0, 1, b.segment, 0, 5, kept.segment,
                kept.offset, kept.ld, true);
        assertThat(kept.segment.mismatch(c.segment)).isEqualTo(-1L);
        Sgemm.sgemm(false, false, 4, 5, 0, a.segment, 0, 1, b.segment, 0, 5, c.segment,
                c.offset, c.ld, false);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(c.get(0, i, j)).isZero();
            }
        }
        GemmReference.assertSentinelsKept(c, 4, 5);
    }

    @Test
    void rejectsOperandsOutsideTheirSegments() {
        MemorySegment small = Arena.ofAuto().allocate(4L * 15, 64);
        MemorySegment big = Arena.ofAuto().allocate(4L * 64, 64);
        assertThatThrownBy(() -> Sgemm.sgemm(false, false, 4, 4, 4, small, 0, 4, big, 0, 4,
                big, 0, 4, false)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("A needs 16");
        assertThatThrownBy(() -> Sgemm.sgemm(false, false, 4, 4, 4, big, 0, 3, big, 0, 4,
                big, 0, 4, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lda=3");
        assertThatThrownBy(() -> Sgemm.sgemmBatched(false, false, 2, 2, 2, 2, big, 0, 4, 2,
                big, 0, 4, 2, big, 0, 0, 2, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strideC");
    }
}
