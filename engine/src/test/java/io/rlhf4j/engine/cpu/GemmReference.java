package io.rlhf4j.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The naive product in double precision, and the check of a computed C against it:
 * |C − ref| ≤ rtol · (Σ_p |op(A)(i,p)·op(B)(p,j)| + |C_old(i,j)|), the scale of the rounding
 * error a product can make; every element outside the C matrices must keep its sentinel.
 */
final class GemmReference {

    private GemmReference() {
    }

    static void assertProduct(boolean transA, boolean transB, int m, int n, int k,
            GemmOperand a, GemmOperand b, GemmOperand cBefore, GemmOperand c,
            boolean accumulate, double rtol) {
        for (int e = 0; e < c.batch; e++) {
            int ea = a.stride == 0 ? 0 : e;
            int eb = b.stride == 0 ? 0 : e;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double scale = 0;
                    for (int p = 0; p < k; p++) {
                        double t = a.op(ea, transA, i, p) * b.op(eb, transB, p, j);
                        sum += t;
                        scale += Math.abs(t);
                    }
                    if (accumulate) {
                        sum += cBefore.get(e, i, j);
                        scale += Math.abs(cBefore.get(e, i, j));
                    }
                    double got = c.get(e, i, j);
                    if (!(Math.abs(got - sum) <= rtol * scale)) {
                        fail("C[%d](%d,%d) = %s, expected %s (± %s) for transA=%s transB=%s"
                                + " m=%d n=%d k=%d", e, i, j, got, sum, rtol * scale, transA,
                                transB, m, n, k);
                    }
                }
            }
        }
        assertSentinelsKept(c, m, n);
    }

    /** Elements of C's segment that belong to no C entry still hold the sentinel. */
    static void assertSentinelsKept(GemmOperand c, int m, int n) {
        boolean[] inside = new boolean[(int) c.elements()];
        for (int e = 0; e < c.batch; e++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    inside[(int) c.index(e, i, j)] = true;
                }
            }
        }
        for (int x = 0; x < inside.length; x++) {
            if (!inside[x]) {
                assertThat(c.at(x)).as("padding element %d of C", x)
                        .isEqualTo(GemmOperand.SENTINEL);
            }
        }
    }
}
