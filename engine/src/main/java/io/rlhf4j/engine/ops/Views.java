package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import java.util.Arrays;

/** Operations that reinterpret a tensor's layout without touching its data (plus contiguous()). */
public final class Views {

    private Views() {
    }

    /** Resolves a single −1 in {@code newShape} and checks the element count. */
    static int[] inferShape(int[] newShape, long numel) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one dimension can be -1 in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + numel + " elements into " + Arrays.toString(newShape));
            }
            s[infer] = (int) (numel / known);
        }
        if (Shapes.numel(s) != numel) {
            throw new IllegalArgumentException("cannot reshape " + numel + " elements into " + Arrays.toString(newShape));
        }
        return s;
    }

    public static Tensor reshape(Tensor x, int[] newShape) {
        return view(x.contiguous(), newShape);
    }

    public static Tensor view(Tensor x, int[] newShape) {
        int[] shape = inferShape(newShape, x.numel());
        if (!x.isContiguous()) {
            throw new IllegalStateException("view() of a non-contiguous tensor " + Arrays.toString(x.shape())
                    + "; use reshape() or contiguous() first");
        }
        int[] inShape = x.shape();
        Tensor out = new Tensor(x.storage(), x.dtype(), shape, Shapes.contiguousStrides(shape), x.offset());
        return Autograd.record(out, "view", g -> new Tensor[] {g.reshape(inShape)}, x);
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int[] perm = identity(x.rank());
        int a = Shapes.dim(dim0, x.rank());
        int b = Shapes.dim(dim1, x.rank());
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    public static Tensor permute(Tensor x, int[] dims) {
        int rank = x.rank();
        if (dims.length != rank) {
            throw new IllegalArgumentException("permute " + Arrays.toString(dims) + " of a rank-" + rank + " tensor");
        }
        int[] shape = x.shape();
        long[] strides = x.strides();
        int[] newShape = new int[rank];
        long[] newStrides = new long[rank];
        int[] inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int d = Shapes.dim(dims[i], rank);
            if (seen[d]) {
                throw new IllegalArgumentException("permute " + Arrays.toString(dims) + " repeats dimension " + d);
            }
            seen[d] = true;
            newShape[i] = shape[d];
            newStrides[i] = strides[d];
            inverse[d] = i;
        }
        Tensor out = new Tensor(x.storage(), x.dtype(), newShape, newStrides, x.offset());
        return Autograd.record(out, "permute", g -> new Tensor[] {g.permute(inverse)}, x);
    }

    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shapes.dim(dim, x.rank());
        int[] shape = x.shape();
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") of shape "
                    + Arrays.toString(shape));
        }
        long[] strides = x.strides();
        int[] newShape = shape.clone();
        newShape[d] = length;
        Tensor out = new Tensor(x.storage(), x.dtype(), newShape, strides, x.offset() + start * strides[d]);
        return Autograd.record(out, "narrow", g -> {
            Tensor full = Tensor.zeros(g.dtype(), shape);
            Copy.into(g.contiguous(), full.narrow(d, start, length));
            return new Tensor[] {full};
        }, x);
    }

    public static Tensor expand(Tensor x, int[] newShape) {
        int rank = newShape.length;
        int[] shape = x.shape();
        if (rank < shape.length) {
            throw new IllegalArgumentException("cannot expand " + Arrays.toString(shape) + " to fewer dimensions "
                    + Arrays.toString(newShape));
        }
        if (Arrays.equals(shape, newShape)) {
            return x;
        }
        long[] strides = x.strides();
        long[] newStrides = new long[rank];
        int[] resolved = newShape.clone();
        for (int i = 0; i < rank; i++) {
            int src = i - (rank - shape.length);
            int have = src < 0 ? 1 : shape[src];
            if (resolved[i] == -1) {
                resolved[i] = have;
            }
            if (have == resolved[i]) {
                newStrides[i] = src < 0 ? 0 : strides[src];
            } else if (have == 1) {
                newStrides[i] = 0;
            } else {
                throw new IllegalArgumentException("cannot expand " + Arrays.toString(shape) + " to "
                        + Arrays.toString(newShape) + " (dimension " + i + ")");
            }
        }
        Tensor out = new Tensor(x.storage(), x.dtype(), resolved, newStrides, x.offset());
        return Autograd.record(out, "expand", g -> new Tensor[] {g.sumTo(shape)}, x);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int rank = x.rank() + 1;
        int d = Shapes.dim(dim, rank);
        int[] shape = x.shape();
        int[] newShape = new int[rank];
        long[] strides = x.strides();
        long[] newStrides = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i == d) {
                newShape[i] = 1;
                newStrides[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                newShape[i] = shape[j];
                newStrides[i] = strides[j];
                j++;
            }
        }
        Tensor out = new Tensor(x.storage(), x.dtype(), newShape, newStrides, x.offset());
        return Autograd.record(out, "unsqueeze", g -> new Tensor[] {g.squeeze(d)}, x);
    }

    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shapes.dim(dim, x.rank());
        int[] shape = x.shape();
        if (shape[d] != 1) {
            return x;
        }
        long[] strides = x.strides();
        int[] newShape = new int[shape.length - 1];
        long[] newStrides = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != d) {
                newShape[j] = shape[i];
                newStrides[j++] = strides[i];
            }
        }
        Tensor out = new Tensor(x.storage(), x.dtype(), newShape, newStrides, x.offset());
        return Autograd.record(out, "squeeze", g -> new Tensor[] {g.unsqueeze(d)}, x);
    }

    public static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) {
            return x;
        }
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        Copy.into(x, out);
        return Autograd.record(out, "contiguous", g -> new Tensor[] {g}, x);
    }

    static int[] identity(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        return p;
    }
}
