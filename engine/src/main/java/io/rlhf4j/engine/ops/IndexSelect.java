package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * torch.index_select and its adjoint, index_add into zeros. Seen as [outer, n, inner] with the
 * indexed dimension in the middle, the forward copies whole inner slices. The backward splits the
 * work over (outer, inner columns) and adds the selected slices in index order, so repeated
 * indices accumulate in a fixed order whatever the thread count.
 */
public final class IndexSelect {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private IndexSelect() {
    }

    /** Slices {@code index[i]} of {@code x} along {@code dim}; index is 1-D (or a scalar) of integers. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (index.rank() > 1) {
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got shape " + Shapes.toString(index.shape()));
        }
        int d = Shapes.dim(dim, x.rank());
        long[] ids = Indices.read(index, x.shape(d), "indexSelect", "dimension " + dim);
        Tensor out = select(x, d, ids);
        int[] xShape = x.shape();
        return Autograd.record(out, "index_select", g -> new Tensor[] {add(g, d, ids, xShape).to(x.dtype()), null},
                x, index);
    }

    /** x gathered along {@code d} at the (validated) ids; the output has x's dtype. */
    static Tensor select(Tensor x, int d, long[] ids) {
        Tensor src = x.detach().contiguous();
        int[] shape = src.shape();
        int n = shape[d];
        int m = ids.length;
        int[] outShape = shape.clone();
        outShape[d] = m;
        Tensor out = Tensor.empty(x.dtype(), outShape);
        long inner = innerSize(shape, d);
        int outer = Math.toIntExact(Shapes.numel(Arrays.copyOf(shape, d)));
        long bytes = inner * x.dtype().byteSize();
        MemorySegment s = src.segment();
        MemorySegment o = out.segment();
        long base = src.offset() * x.dtype().byteSize();
        int tasks = Math.multiplyExact(outer, m);
        Parallel.forRange(tasks, Math.max(1, (int) (16384 / Math.max(1, inner))), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                long row = t / m;
                long id = ids[t % m];
                MemorySegment.copy(s, base + (row * n + id) * bytes, o, t * bytes, bytes);
            }
        });
        return out;
    }

    /**
     * The adjoint of {@link #select}: zeros of {@code shape} with g's slices added at the ids along
     * {@code d}, in the compute dtype of g (F32, or F64).
     */
    static Tensor add(Tensor g, int d, long[] ids, int[] shape) {
        DType type = g.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor out = Tensor.zeros(type, shape);
        addInto(g, d, ids, out);
        return out;
    }

    /** Adds g's slices into {@code out} (contiguous, F32 or F64) at the ids along {@code d}, in id order. */
    static void addInto(Tensor g, int d, long[] ids, Tensor out) {
        DType type = out.dtype();
        int[] shape = out.shape();
        Tensor gc = g.to(type).contiguous();
        int n = shape[d];
        int m = ids.length;
        int inner = Math.toIntExact(innerSize(shape, d));
        int outer = Math.toIntExact(Shapes.numel(Arrays.copyOf(shape, d)));
        int block = Math.max(256, -Math.floorDiv(-inner, Parallel.threads()));
        int blocks = Math.max(1, -Math.floorDiv(-inner, block));
        MemorySegment gs = gc.segment();
        MemorySegment os = out.segment();
        long gBase = gc.offset();
        Parallel.forRange(outer * blocks, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int row = t / blocks;
                int c0 = (t % blocks) * block;
                int len = Math.min(block, inner - c0);
                for (int i = 0; i < m; i++) {
                    long from = gBase + ((long) row * m + i) * inner + c0;
                    long to = out.offset() + ((long) row * n + ids[i]) * inner + c0;
                    if (type == DType.F64) {
                        for (int k = 0; k < len; k++) {
                            os.setAtIndex(TypedAccess.F64, to + k,
                                    os.getAtIndex(TypedAccess.F64, to + k) + gs.getAtIndex(TypedAccess.F64, from + k));
                        }
                    } else {
                        addRowF32(gs, from, os, to, len);
                    }
                }
            }
        });
    }

    /** dst[0, n) += src[0, n) on F32 rows (offsets in elements). */
    private static void addRowF32(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        int k = 0;
        for (int bound = F.loopBound(n); k < bound; k += F.length()) {
            FloatVector.fromMemorySegment(F, dst, (to + k) * 4, le)
                    .add(FloatVector.fromMemorySegment(F, src, (from + k) * 4, le))
                    .intoMemorySegment(dst, (to + k) * 4, le);
        }
        for (; k < n; k++) {
            dst.setAtIndex(TypedAccess.F32, to + k, dst.getAtIndex(TypedAccess.F32, to + k)
                    + src.getAtIndex(TypedAccess.F32, from + k));
        }
    }

    private static long innerSize(int[] shape, int d) {
        long inner = 1;
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        return inner;
    }
}
