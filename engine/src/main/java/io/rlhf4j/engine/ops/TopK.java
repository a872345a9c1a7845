package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * torch.topk, torch.sort and torch.argmax/argmin along one dimension (not differentiable).
 *
 * <p>Order: values sorted best first (descending for largest, ascending otherwise); NaN counts
 * as larger than every number, as in torch. Ties are broken by the lower index, so the result is
 * deterministic; torch's CPU topk leaves the order of equal values unspecified (for
 * [1, 3, 3, 2, 3, 0, 3] and k = 3 it returns indices 1, 6, 4 where we return 1, 2, 4), and its
 * {@code sort(stable=True)} agrees with ours. argmax/argmin return the first occurrence of the
 * extreme value, or of the first NaN when there is one, as torch does.
 */
public final class TopK {

    /** The k best values of each row and their I64 indices along the dimension. */
    public record Result(Tensor values, Tensor indices) {
    }

    private TopK() {
    }

    public static Result topk(Tensor x, int k, int dim, boolean largest) {
        int d = Shapes.dim(dim, x.rank());
        int n = x.shape(d);
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("topk: k = " + k + " is out of range for dimension " + dim + " of size " + n);
        }
        Tensor src = LastDim.moveLast(x, d);
        int[] outShape = src.shape();
        outShape[outShape.length - 1] = k;
        Tensor values = Tensor.empty(x.dtype(), outShape);
        Tensor indices = Tensor.empty(DType.I64, outShape);
        MemorySegment s = src.segment();
        MemorySegment vs = values.segment();
        MemorySegment is = indices.segment();
        DType type = x.dtype();
        long base = src.offset();
        Parallel.forRange(LastDim.rows(src), Math.max(1, 4096 / Math.max(1, n)), (r0, r1) -> {
            double[] row = new double[n];
            int[] heap = new int[k];
            for (int r = r0; r < r1; r++) {
                long off = base + (long) r * n;
                for (int i = 0; i < n; i++) {
                    row[i] = TypedAccess.get(s, type, off + i);
                }
                selectBest(row, k, largest, heap);
                for (int j = 0; j < k; j++) {
                    long o = (long) r * k + j;
                    is.setAtIndex(TypedAccess.I64, o, heap[j]);
                    Where.copyElement(s, off + heap[j], vs, o, type);
                }
            }
        });
        return new Result(LastDim.restore(values, d), LastDim.restore(indices, d));
    }

    /** A stable sort along {@code dim} (equal values keep their order), with the permutation. */
    public static Result sort(Tensor x, int dim, boolean descending) {
        return topk(x, x.shape(dim), dim, descending);
    }

    /** Index of the largest (or smallest) value along {@code dim}, as I64. */
    public static Tensor argExtreme(Tensor x, int dim, boolean keepDim, boolean largest) {
        int d = Shapes.dim(dim, x.rank());
        int n = x.shape(d);
        if (n == 0) {
            throw new IllegalArgumentException((largest ? "argmax" : "argmin") + " over an empty dimension of "
                    + Shapes.toString(x.shape()));
        }
        Tensor src = LastDim.moveLast(x, d);
        int[] outShape = src.shape();
        outShape[outShape.length - 1] = 1;
        Tensor out = Tensor.empty(DType.I64, outShape);
        MemorySegment s = src.segment();
        MemorySegment o = out.segment();
        DType type = x.dtype();
        long base = src.offset();
        Parallel.forRange(LastDim.rows(src), Math.max(1, 8192 / n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = base + (long) r * n;
                double best = TypedAccess.get(s, type, off);
                int at = 0;
                for (int i = 1; i < n && !Double.isNaN(best); i++) {
                    double v = TypedAccess.get(s, type, off + i);
                    if (Double.isNaN(v) || (largest ? v > best : v < best)) {
                        best = v;
                        at = i;
                    }
                }
                o.setAtIndex(TypedAccess.I64, r, at);
            }
        });
        Tensor kept = LastDim.restore(out, d);
        return keepDim ? kept : kept.squeeze(d);
    }

    /**
     * Fills {@code best[0, k)} with the indices of the k best entries of {@code row}, best first.
     * A binary heap holds the k best seen so far with the worst of them at the root: O(n log k).
     */
    static void selectBest(double[] row, int k, boolean largest, int[] best) {
        if (k == 0) {
            return;
        }
        int size = 0;
        for (int i = 0; i < row.length; i++) {
            if (size < k) {
                best[size] = i;
                siftUp(best, size++, row, largest);
            } else if (before(i, best[0], row, largest)) {
                best[0] = i;
                siftDown(best, size, row, largest);
            }
        }
        for (int end = k - 1; end > 0; end--) {
            int worst = best[0];
            best[0] = best[end];
            best[end] = worst;
            siftDown(best, end, row, largest);
        }
    }

    /** True when entry i ranks before entry j: better value, or equal value and lower index. */
    private static boolean before(int i, int j, double[] row, boolean largest) {
        int c = compare(row[i], row[j]);
        return largest ? c > 0 || (c == 0 && i < j) : c < 0 || (c == 0 && i < j);
    }

    /** Numeric order with NaN above everything and −0 equal to +0. */
    private static int compare(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.isNaN(a) ? (Double.isNaN(b) ? 0 : 1) : -1;
        }
        return a < b ? -1 : a > b ? 1 : 0;
    }

    /** Heap order: a parent ranks after its children (the worst kept entry is at the root). */
    private static void siftUp(int[] h, int pos, double[] row, boolean largest) {
        while (pos > 0) {
            int parent = (pos - 1) / 2;
            if (!before(h[parent], h[pos], row, largest)) {
                return;
            }
            int t = h[parent];
            h[parent] = h[pos];
            h[pos] = t;
            pos = parent;
        }
    }

    private static void siftDown(int[] h, int size, double[] row, boolean largest) {
        int pos = 0;
        while (true) {
            int worst = pos;
            int l = 2 * pos + 1;
            int r = l + 1;
            if (l < size && before(h[worst], h[l], row, largest)) {
                worst = l;
            }
            if (r < size && before(h[worst], h[r], row, largest)) {
                worst = r;
            }
            if (worst == pos) {
                return;
            }
            int t = h[pos];
            h[pos] = h[worst];
            h[worst] = t;
            pos = worst;
        }
    }
}
