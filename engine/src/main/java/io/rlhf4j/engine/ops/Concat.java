package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torch.cat, torch.stack, Tensor.split and Tensor.chunk. Concatenation copies each input into its
 * slice of the output; its backward hands each input the matching slice of the gradient (a view).
 * split and chunk return narrow views, differentiable through {@link Views#narrow}.
 */
public final class Concat {

    private Concat() {
    }

    /**
     * Joins tensors along {@code dim}; all other dimensions must agree. Inputs of one dtype keep
     * it; mixed floating-point inputs are promoted like elementwise ops (F64 if any, else F32).
     */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat of an empty list");
        }
        Tensor first = tensors.get(0);
        int d = Shapes.dim(dim, first.rank());
        int[] shape = first.shape();
        DType type = first.dtype();
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            int[] s = t.shape();
            s[d] = shape[d];
            if (!Arrays.equals(s, shape)) {
                throw new IllegalArgumentException("cat along dimension " + dim + ": tensor " + i + " has shape "
                        + Arrays.toString(t.shape()) + ", which does not match tensor 0's " + Arrays.toString(shape)
                        + " outside that dimension");
            }
            if (t.dtype() != type) {
                type = Elementwise.computeType(type, t.dtype());
            }
            total += t.shape(d);
        }
        int[] outShape = shape.clone();
        outShape[d] = total;
        Tensor out = Tensor.empty(type, outShape);
        int[] starts = new int[tensors.size()];
        int start = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = start;
            Copy.into(t.detach().to(type), out.narrow(d, start, t.shape(d)));
            start += t.shape(d);
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Autograd.record(out, "cat", g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                grads[i] = g.narrow(d, starts[i], inputs[i].shape(d)).to(inputs[i].dtype());
            }
            return grads;
        }, inputs);
    }

    /** Joins equally shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack of an empty list");
        }
        int d = Shapes.dim(dim, tensors.get(0).rank() + 1);
        int[] shape = tensors.get(0).shape();
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Arrays.toString(t.shape())
                        + ", tensor 0 has " + Arrays.toString(shape));
            }
            expanded.add(t.unsqueeze(d));
        }
        return cat(expanded, d);
    }

    /** Views of {@code size} elements along {@code dim}; the last one is shorter when size does not divide. */
    public static List<Tensor> split(Tensor x, int size, int dim) {
        if (size <= 0) {
            throw new IllegalArgumentException("split size must be positive, got " + size);
        }
        int d = Shapes.dim(dim, x.rank());
        int n = x.shape(d);
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < n; start += size) {
            parts.add(x.narrow(d, start, Math.min(size, n - start)));
        }
        if (n == 0) {
            parts.add(x.narrow(d, 0, 0));
        }
        return parts;
    }

    /**
     * torch.chunk: views of ⌈n / chunks⌉ elements along {@code dim}, so there may be fewer than
     * {@code chunks} pieces (chunk(5 elements, 3) gives sizes 2, 2, 1; chunk(6, 4) gives 2, 2, 2).
     */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk count must be positive, got " + chunks);
        }
        int n = x.shape(dim);
        return split(x, Math.max(1, -Math.floorDiv(-n, chunks)), dim);
    }
}
