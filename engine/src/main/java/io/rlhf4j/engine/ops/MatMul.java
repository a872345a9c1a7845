package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Dgemm;
import io.rlhf4j.engine.cpu.Sgemm;
import java.util.Arrays;

/**
 * torch.matmul: vectors are promoted to matrices, leading dimensions broadcast as batches.
 * Transposed views (x.mT()) reach the GEMM as a transpose flag, not a copy, so the backward
 * products g·Bᵀ and Aᵀ·g read the saved operands in place.
 */
public final class MatMul {

    private MatMul() {
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul needs tensors of rank >= 1, got " + Arrays.toString(a.shape())
                    + " and " + Arrays.toString(b.shape()));
        }
        if (a.rank() == 1) {
            Tensor r = matmul(a.unsqueeze(0), b);
            return r.squeeze(r.rank() == 1 ? 0 : -2);
        }
        if (b.rank() == 1) {
            return matmul(a, b.unsqueeze(-1)).squeeze(-1);
        }
        int m = a.shape(-2);
        int k = a.shape(-1);
        int n = b.shape(-1);
        if (b.shape(-2) != k) {
            throw new IllegalArgumentException("matmul shape mismatch: " + Arrays.toString(a.shape()) + " @ "
                    + Arrays.toString(b.shape()) + " (inner dimensions " + k + " vs " + b.shape(-2) + ")");
        }
        DType type = Elementwise.computeType(a.dtype(), b.dtype());
        int[] batch = Shapes.broadcast(Arrays.copyOf(a.shape(), a.rank() - 2), Arrays.copyOf(b.shape(), b.rank() - 2));
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(type, outShape);
        multiply(a.detach().to(type), b.detach().to(type), batch, m, n, k, out);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Autograd.record(out, "matmul", g -> new Tensor[] {
            a.requiresGrad() ? g.matmul(b.detach().mT()).sumTo(aShape).to(a.dtype()) : null,
            b.requiresGrad() ? rightGradient(a.detach(), b.detach(), g).to(b.dtype()) : null}, a, b);
    }

    /**
     * ∂L/∂b = Σ_batch aᵀ·g. When b is one matrix shared by every batch of a (x·Wᵀ in a linear
     * layer), the batch sum folds into the GEMM's inner dimension: one [k, rows]·[rows, n] product
     * instead of a batched product, a copy and a reduction. A transposed b gets its gradient as
     * (gᵀ·a)ᵀ, so the view's backward hands the weight a contiguous gradient without a transpose copy.
     */
    private static Tensor rightGradient(Tensor a, Tensor b, Tensor g) {
        if (b.rank() != 2 || a.rank() <= 2) {
            return a.mT().matmul(g).sumTo(b.shape());
        }
        int k = b.shape(0);
        int n = b.shape(1);
        Tensor rows = a.reshape(-1, k);
        Tensor gRows = g.reshape(-1, n);
        boolean transposed = b.strides()[0] == 1 && b.strides()[1] == k && n > 1;
        return transposed ? gRows.mT().matmul(rows).mT() : rows.mT().matmul(gRows);
    }

    private static void multiply(Tensor a, Tensor b, int[] batch, int m, int n, int k, Tensor out) {
        if (batch.length == 0 || b.rank() == 2 && foldsIntoRows(a)) {
            // [..., m, k] row-major times a single matrix: one GEMM with all leading rows stacked.
            int rows = Math.toIntExact(a.numel() / Math.max(1, k));
            Operand oa = Operand.of(a.rank() == 2 ? a : a.contiguous().view(rows, k));
            Operand ob = Operand.of(b);
            gemm(out.dtype(), oa, ob, 1, rows, n, k, out, 0);
            return;
        }
        int[] aBatch = Arrays.copyOf(batch, batch.length + 2);
        aBatch[batch.length] = m;
        aBatch[batch.length + 1] = k;
        int[] bBatch = Arrays.copyOf(batch, batch.length + 2);
        bBatch[batch.length] = k;
        bBatch[batch.length + 1] = n;
        Operand oa = Operand.of(a.expand(aBatch));
        Operand ob = Operand.of(b.expand(bBatch));
        gemm(out.dtype(), oa, ob, Math.toIntExact(Shapes.numel(batch)), m, n, k, out, (long) m * n);
    }

    private static boolean foldsIntoRows(Tensor a) {
        return a.isContiguous();
    }

    private static void gemm(DType type, Operand a, Operand b, int batch, int m, int n, int k, Tensor out, long strideC) {
        if (type == DType.F64) {
            Dgemm.dgemmBatched(a.transposed, b.transposed, batch, m, n, k, a.segment, a.offset, a.batchStride, a.ld,
                    b.segment, b.offset, b.batchStride, b.ld, out.segment(), out.offset(), strideC, n, false);
        } else {
            Sgemm.sgemmBatched(a.transposed, b.transposed, batch, m, n, k, a.segment, a.offset, a.batchStride, a.ld,
                    b.segment, b.offset, b.batchStride, b.ld, out.segment(), out.offset(), strideC, n, false);
        }
    }

    /** A (batched) matrix as the GEMM sees it: base offset, leading dimension, transpose flag, batch stride. */
    private record Operand(java.lang.foreign.MemorySegment segment, long offset, int ld, boolean transposed,
            long batchStride) {

        static Operand of(Tensor t) {
            int rank = t.rank();
            int[] shape = t.shape();
            long[] strides = t.strides();
            int rows = shape[rank - 2];
            int cols = shape[rank - 1];
            long rs = strides[rank - 2];
            long cs = strides[rank - 1];
            Long batchStride = batchStride(shape, strides, rank - 2);
            if (batchStride != null) {
                if ((cs == 1 || cols == 1) && (rs >= cols || rows == 1)) {
                    return new Operand(t.segment(), t.offset(), (int) Math.max(rows == 1 ? cols : rs, 1), false, batchStride);
                }
                if ((rs == 1 || rows == 1) && (cs >= rows || cols == 1)) {
                    return new Operand(t.segment(), t.offset(), (int) Math.max(cols == 1 ? rows : cs, 1), true, batchStride);
                }
            }
            Tensor c = t.contiguous();
            return new Operand(c.segment(), c.offset(), Math.max(cols, 1), false, (long) rows * cols);
        }

        /** The single stride that steps through all batch dimensions in order, or null if none does. */
        private static Long batchStride(int[] shape, long[] strides, int batchDims) {
            long stride = -1;
            long expectedNext = -1;
            for (int i = batchDims - 1; i >= 0; i--) {
                if (shape[i] == 1) {
                    continue;
                }
                if (stride < 0) {
                    stride = strides[i];
                } else if (strides[i] != expectedNext) {
                    return null;
                }
                expectedNext = strides[i] * shape[i];
            }
            return stride < 0 ? 0L : stride;
        }
    }
}
