package io.rlhf4j.engine.cpu;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dgemm against the naive product; |C − ref| ≤ 1e-13 · Σ_p|a·b| (double has 2^-53 ≈ 1.1e-16
 * unit roundoff, and k ≤ 130 here).
 */
class DgemmTest {

    private static final double RTOL = 1e-13;

    static Stream<Arguments> cases() {
        int[][] mnk = {{1, 1, 1}, {7, 1, 3}, {1, 9, 1}, {5, 6, 7}, {33, 17, 130}, {64, 70, 2}};
        Stream.Builder<Arguments> all = Stream.builder();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                all.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return all.build();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("cases")
    void matchesReference(int m, int n, int k, boolean transA, boolean transB) {
        Random rnd = new Random(m * 1000L + n * 10L + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        for (boolean accumulate : new boolean[] {false, true}) {
            GemmOperand a = transA ? GemmOperand.random(rnd, k, m, true)
                    : GemmOperand.random(rnd, m, k, true);
            GemmOperand b = transB ? GemmOperand.random(rnd, n, k, true)
                    : GemmOperand.random(rnd, k, n, true);
            GemmOperand before = GemmOperand.random(rnd, m, n, true);
            GemmOperand c = before.copy();
            Dgemm.dgemm(transA, transB, m, n, k, a.segment, a.offset, a.ld, b.segment, b.offset,
                    b.ld, c.segment, c.offset, c.ld, accumulate);
            GemmReference.assertProduct(transA, transB, m, n, k, a, b, before, c, accumulate, RTOL);
        }
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("cases")
    void batchedWithBroadcastB(int m, int n, int k, boolean transA, boolean transB) {
        Random rnd = new Random(m + n + k);
        int batch = 3;
        GemmOperand a = GemmOperand.random(rnd, batch, transA ? k : m, transA ? m : k, -1, true);
        GemmOperand b = GemmOperand.random(rnd, batch, transB ? n : k, transB ? k : n, 0, true);
        GemmOperand before = GemmOperand.random(rnd, batch, m, n, -1, true);
        GemmOperand c = before.copy();
        Dgemm.dgemmBatched(transA, transB, batch, m, n, k, a.segment, a.offset, a.stride, a.ld,
                b.segment, b.offset, b.stride, b.ld, c.segment, c.offset, c.stride, c.ld, true);
        GemmReference.assertProduct(transA, transB, m, n, k, a, b, before, c, true, RTOL);
    }
}
