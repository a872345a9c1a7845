package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * torch.gather and torch.scatter_add. With the indexed dimension swapped last, row r of the index
 * addresses row r of the source (gather) or of the target (scatter_add) and no other, so rows run
 * in parallel without two workers touching one element, and each row runs in index order: results
 * are deterministic even with repeated indices.
 */
public final class Gather {

    private Gather() {
    }

    /** out[…, j, …] = x[…, index[…, j, …], …] along {@code dim}; out has index's shape and x's dtype. */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = checkShapes("gather", x, dim, index, null);
        Tensor out = Tensor.empty(x.dtype(), index.shape());
        Layout l = new Layout(index, d, x, out);
        int size = x.shape(d);
        DType type = x.dtype();
        Parallel.forRange(l.rows, l.minRows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long io = l.indexStart(r);
                long xo = l.otherStart(0, r);
                long oo = l.otherStart(1, r);
                for (int j = 0; j < l.len; j++) {
                    long id = TypedAccess.getLong(l.idx, l.idxType, io + j * l.idxStep);
                    Indices.checkInRange(id, size, "gather", "dimension " + dim, r * (long) l.len + j);
                    Where.copyElement(l.seg[0], xo + id * l.step[0], l.seg[1], oo + j * l.step[1], type);
                }
            }
        });
        int[] xShape = x.shape();
        return Autograd.record(out, "gather", g -> new Tensor[] {
            scatterAdd(Tensor.zeros(g.dtype(), xShape), dim, index, g).to(x.dtype()), null}, x, index);
    }

    /** A copy of {@code self} with src[…, j, …] added at self[…, index[…, j, …], …] along {@code dim}. */
    public static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        int d = checkShapes("scatterAdd", self, dim, index, src);
        DType type = Elementwise.computeType(self.dtype(), src.dtype());
        Tensor out = Tensor.empty(type, self.shape());
        Copy.into(self.detach().to(type), out);
        Tensor s = src.detach().to(type);
        Layout l = new Layout(index, d, s, out);
        int size = self.shape(d);
        Parallel.forRange(l.rows, l.minRows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long io = l.indexStart(r);
                long so = l.otherStart(0, r);
                long oo = l.otherStart(1, r);
                for (int j = 0; j < l.len; j++) {
                    long id = TypedAccess.getLong(l.idx, l.idxType, io + j * l.idxStep);
                    Indices.checkInRange(id, size, "scatterAdd", "dimension " + dim, r * (long) l.len + j);
                    long target = oo + id * l.step[1];
                    long from = so + j * l.step[0];
                    if (type == DType.F64) {
                        l.seg[1].setAtIndex(TypedAccess.F64, target, l.seg[1].getAtIndex(TypedAccess.F64, target)
                                + l.seg[0].getAtIndex(TypedAccess.F64, from));
                    } else {
                        l.seg[1].setAtIndex(TypedAccess.F32, target, l.seg[1].getAtIndex(TypedAccess.F32, target)
                                + l.seg[0].getAtIndex(TypedAccess.F32, from));
                    }
                }
            }
        });
        return Autograd.record(out, "scatter_add", g -> new Tensor[] {
            g.to(self.dtype()), null, gather(g, dim, index).to(src.dtype())}, self, index, src);
    }

    /** Torch's rules: same rank; index no larger than src anywhere, nor than x outside {@code dim}. */
    private static int checkShapes(String op, Tensor x, int dim, Tensor index, Tensor src) {
        Indices.checkIntegral(index, op);
        int d = Shapes.dim(dim, x.rank());
        int[] xs = x.shape();
        int[] is = index.shape();
        boolean ok = xs.length == is.length && (src == null || src.rank() == is.length);
        for (int i = 0; ok && i < is.length; i++) {
            ok = (i == d || is[i] <= xs[i]) && (src == null || is[i] <= src.shape(i));
        }
        if (!ok) {
            throw new IllegalArgumentException(op + " along dimension " + dim + ": index of shape " + Arrays.toString(is)
                    + " does not fit the tensor of shape " + Arrays.toString(xs)
                    + (src == null ? "" : " and source of shape " + Arrays.toString(src.shape())));
        }
        return d;
    }

    /**
     * The index and two other tensors seen with {@code dim} swapped last, walked as rows of the
     * index's (swapped) shape: tensor k's row r starts at otherStart(k, r), step step[k].
     */
    private static final class Layout {
        final int[] shape;
        final int len;
        final int rows;
        final int minRows;
        final MemorySegment idx;
        final DType idxType;
        final long idxStep;
        final long[] idxStrides;
        final long idxOffset;
        final MemorySegment[] seg = new MemorySegment[2];
        final long[][] strides = new long[2][];
        final long[] offsets = new long[2];
        final long[] step = new long[2];

        Layout(Tensor index, int d, Tensor a, Tensor b) {
            Tensor it = index.detach().transpose(d, -1);
            shape = it.shape();
            len = StridedRows.rowLength(shape);
            rows = Math.toIntExact(StridedRows.rows(shape));
            minRows = Math.max(1, 8192 / Math.max(1, len));
            idx = it.segment();
            idxType = it.dtype();
            idxStrides = it.strides();
            idxStep = StridedRows.rowStride(idxStrides);
            idxOffset = it.offset();
            Tensor[] others = {a.detach().transpose(d, -1), b.detach().transpose(d, -1)};
            for (int k = 0; k < 2; k++) {
                seg[k] = others[k].segment();
                strides[k] = others[k].strides();
                offsets[k] = others[k].offset();
                step[k] = StridedRows.rowStride(strides[k]);
            }
        }

        long indexStart(int r) {
            return StridedRows.rowStart(shape, idxStrides, idxOffset, r);
        }

        long otherStart(int k, int r) {
            return StridedRows.rowStart(shape, strides[k], offsets[k], r);
        }
    }
}
