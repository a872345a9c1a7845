package io.rlhf4j.engine;

import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.autograd.Node;
import io.rlhf4j.engine.backend.Backend;
import io.rlhf4j.engine.backend.Devices;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.memory.MemoryScope;
import io.rlhf4j.engine.memory.Storage;
import io.rlhf4j.engine.ops.Comparisons;
import io.rlhf4j.engine.ops.Concat;
import io.rlhf4j.engine.ops.Conversions;
import io.rlhf4j.engine.ops.Copy;
import io.rlhf4j.engine.ops.CumSum;
import io.rlhf4j.engine.ops.Dropout;
import io.rlhf4j.engine.ops.Elementwise;
import io.rlhf4j.engine.ops.Elementwise.BinaryOp;
import io.rlhf4j.engine.ops.Elementwise.UnaryOp;
import io.rlhf4j.engine.ops.Embedding;
import io.rlhf4j.engine.ops.Gather;
import io.rlhf4j.engine.ops.IndexSelect;
import io.rlhf4j.engine.ops.MatMul;
import io.rlhf4j.engine.ops.Reductions;
import io.rlhf4j.engine.ops.Softmax;
import io.rlhf4j.engine.ops.TopK;
import io.rlhf4j.engine.ops.TypedAccess;
import io.rlhf4j.engine.ops.Views;
import io.rlhf4j.engine.ops.Where;
import io.rlhf4j.engine.random.Generator;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array with a dtype, a shape and strides over a {@link Storage}, optionally
 * recording the operations that produced it for reverse-mode differentiation.
 *
 * <p>Operations read like PyTorch: {@code x.matmul(w).add(b).silu()}. Views (reshape of a
 * contiguous tensor, transpose, permute, narrow, expand) share storage; {@link #contiguous()}
 * copies only when the layout requires it. Shapes are {@code int[]}; strides and offsets are in
 * elements.
 */
public final class Tensor {

    private final Storage storage;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;

    /** A view of {@code storage}; use the factories below or the ops to create tensors. */
    public Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        this.storage = storage;
        this.dtype = dtype;
        this.shape = Shapes.check(shape);
        this.strides = strides.clone();
        this.offset = offset;
    }

    // ---------------------------------------------------------------- factories

    /** Uninitialised memory in the current scope. */
    public static Tensor empty(DType dtype, int... shape) {
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        return new Tensor(Memory.allocate(bytes), dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        t.segment().fill((byte) 0);
        return t;
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1.0, dtype, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        t.fill(value);
        return t;
    }

    /** An F32 tensor holding a copy of {@code data} (row-major). */
    public static Tensor of(float[] data, int... shape) {
        checkLength(data.length, shape);
        Tensor t = empty(DType.F32, shape);
        MemorySegment.copy(data, 0, t.segment(), TypedAccess.F32, 0, data.length);
        return t;
    }

    /** An F64 tensor holding a copy of {@code data} (row-major). */
    public static Tensor of(double[] data, int... shape) {
        checkLength(data.length, shape);
        Tensor t = empty(DType.F64, shape);
        MemorySegment.copy(data, 0, t.segment(), TypedAccess.F64, 0, data.length);
        return t;
    }

    /** An I64 tensor (token ids, indices) holding a copy of {@code data}. */
    public static Tensor ofLongs(long[] data, int... shape) {
        checkLength(data.length, shape);
        Tensor t = empty(DType.I64, shape);
        MemorySegment.copy(data, 0, t.segment(), TypedAccess.I64, 0, data.length);
        return t;
    }

    /** An I32 tensor holding a copy of {@code data}. */
    public static Tensor ofInts(int[] data, int... shape) {
        checkLength(data.length, shape);
        Tensor t = empty(DType.I32, shape);
        MemorySegment.copy(data, 0, t.segment(), TypedAccess.I32, 0, data.length);
        return t;
    }

    /** A rank-0 F32 tensor. */
    public static Tensor scalar(double value) {
        return full(value, DType.F32);
    }

    /** 0, 1, …, n−1 as I64. */
    public static Tensor arange(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return ofLongs(v, n);
    }

    /** A contiguous tensor over existing memory (for example a memory-mapped file), no copy. */
    public static Tensor wrap(MemorySegment segment, DType dtype, int... shape) {
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for "
                    + dtype + Arrays.toString(shape) + " (" + bytes + " bytes)");
        }
        return new Tensor(Storage.external(segment), dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.dtype, t.shape);
    }

    public static Tensor onesLike(Tensor t) {
        return ones(t.dtype, t.shape);
    }

    private static void checkLength(int length, int[] shape) {
        if (length != Shapes.numel(shape)) {
            throw new IllegalArgumentException(length + " values do not fill shape " + Arrays.toString(shape));
        }
    }

    // ---------------------------------------------------------------- layout

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public int shape(int dim) {
        return shape[Shapes.dim(dim, shape.length)];
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long[] strides() {
        return strides.clone();
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public Storage storage() {
        return storage;
    }

    /** The storage's memory; element i of a contiguous tensor is at {@code offset() + i}. */
    public MemorySegment segment() {
        return storage.segment();
    }

    /** Where the data lives: {@link Device#CPU}, or a CUDA device (see {@link #to(Device)}). */
    public Device device() {
        return storage.device();
    }

    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing a gradient; returns this for chaining. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach()");
        }
        if (value && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("only floating-point tensors can require gradients, not " + dtype);
        }
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Called by {@link Autograd#record}; makes this tensor an output of {@code node}. */
    public void setGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** Back-propagates from a scalar (d self / d self = 1). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward() without a gradient needs a scalar, got shape "
                    + Arrays.toString(shape));
        }
        Autograd.backward(this, ones(dtype, shape));
    }

    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient);
    }

    /**
     * Adds {@code g} into this leaf's gradient. The gradient buffer lives as long as the leaf (in
     * the leaf's scope, or GC-managed), so parameters keep their gradients across step scopes.
     */
    public void accumulateGrad(Tensor g) {
        if (!requiresGrad) {
            return;
        }
        if (!storage.isHost()) {
            grad = Devices.leafGradient(this, grad, g);
            return;
        }
        if (grad == null) {
            grad = newGradBuffer();
            Copy.into(g.to(dtype), grad);
        } else {
            Elementwise.addInPlace(grad, g);
        }
    }

    /** A contiguous buffer for this leaf's gradient, in the scope that owns its data (GC memory if none). */
    private Tensor newGradBuffer() {
        MemoryScope owner = storage.owner();
        Storage s = Memory.allocateIn(owner == null || owner.isClosed() ? null : owner, numel() * dtype.byteSize());
        return new Tensor(s, dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** Drops the gradient (the next backward allocates a fresh one). */
    public void clearGrad() {
        grad = null;
    }

    /** Sets the gradient to zero in place, keeping its buffer. */
    public void zeroGrad() {
        if (grad != null) {
            grad.fill(0);
        }
    }

    /** Replaces the gradient; used by optimizers and gradient utilities. */
    public void setGrad(Tensor g) {
        this.grad = g;
    }

    /** The same data, cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    /**
     * A copy owned by the scope enclosing the current one (GC-managed if there is none), so a
     * result can outlive the {@link Memory#scope()} it was computed in.
     */
    public Tensor escape() {
        MemoryScope current = Memory.current();
        MemoryScope target = current == null ? null : current.parent();
        if (!storage.isHost()) {
            return Backend.of(device()).copy(this, target);
        }
        Tensor out = new Tensor(Memory.allocateIn(target, numel() * dtype.byteSize()), dtype, shape,
                Shapes.contiguousStrides(shape), 0);
        Copy.into(this, out);
        return out;
    }

    // ---------------------------------------------------------------- element access

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs one element, shape is " + Arrays.toString(shape));
        }
        return TypedAccess.get(segment(), dtype, offset);
    }

    /** The element at a full index. */
    public double get(int... index) {
        return TypedAccess.get(segment(), dtype, elementOffset(index));
    }

    public long getLong(int... index) {
        return TypedAccess.getLong(segment(), dtype, elementOffset(index));
    }

    /** Writes one element (no autograd). */
    public void set(double value, int... index) {
        TypedAccess.set(segment(), dtype, elementOffset(index), value);
    }

    private long elementOffset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        long o = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape "
                        + Arrays.toString(shape));
            }
            o += index[i] * strides[i];
        }
        return o;
    }

    public float[] toFloatArray() {
        Tensor c = to(DType.F32).contiguous();
        float[] out = new float[Math.toIntExact(numel())];
        MemorySegment.copy(c.segment(), TypedAccess.F32, c.offset * 4, out, 0, out.length);
        return out;
    }

    public double[] toDoubleArray() {
        Tensor c = contiguous();
        double[] out = new double[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = TypedAccess.get(c.segment(), dtype, c.offset + i);
        }
        return out;
    }

    public long[] toLongArray() {
        Tensor c = contiguous();
        long[] out = new long[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = TypedAccess.getLong(c.segment(), dtype, c.offset + i);
        }
        return out;
    }

    /** Sets every element to {@code value} in place (no autograd). */
    public Tensor fill(double value) {
        Elementwise.fill(this, value);
        return this;
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor in place. */
    public Tensor copyFrom(Tensor src) {
        Copy.into(src.expand(shape).to(dtype), this);
        return this;
    }

    // ---------------------------------------------------------------- dtype

    /** This tensor converted to {@code target} (itself when already that dtype). */
    public Tensor to(DType target) {
        return Conversions.to(this, target);
    }

    // ---------------------------------------------------------------- random

    /**
     * Inverted dropout: each element is zeroed with probability {@code p} (mask drawn from
     * {@code g}) and the survivors scaled by 1/(1−p); the input itself when {@code p == 0} or not
     * {@code training}.
     */
    public Tensor dropout(double p, Generator g, boolean training) {
        return Dropout.apply(this, p, g, training);
    }

    // ---------------------------------------------------------------- views

    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /** Like {@link #reshape} but never copies: fails if the layout does not allow a view. */
    public Tensor view(int... newShape) {
        return Views.view(this, newShape);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** The last two dimensions swapped (matrix transpose, batched). */
    public Tensor mT() {
        return transpose(-2, -1);
    }

    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    /** Elements [start, start + length) along {@code dim}, as a view. */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** Broadcasts size-1 dimensions to {@code newShape} without copying. */
    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    public Tensor flatten() {
        return reshape(Math.toIntExact(numel()));
    }

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return Views.contiguous(this);
    }

    // ---------------------------------------------------------------- arithmetic

    public Tensor add(Tensor other) {
        return Elementwise.binary(this, other, BinaryOp.ADD);
    }

    public Tensor sub(Tensor other) {
        return Elementwise.binary(this, other, BinaryOp.SUB);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.binary(this, other, BinaryOp.MUL);
    }

    public Tensor div(Tensor other) {
        return Elementwise.binary(this, other, BinaryOp.DIV);
    }

    /** Elementwise maximum of two tensors (gradient to the larger; split evenly on ties). */
    public Tensor maximum(Tensor other) {
        return Elementwise.binary(this, other, BinaryOp.MAX);
    }

    public Tensor minimum(Tensor other) {
        return Elementwise.binary(this, other, BinaryOp.MIN);
    }

    public Tensor add(double c) {
        return Elementwise.affine(this, 1, c);
    }

    public Tensor sub(double c) {
        return Elementwise.affine(this, 1, -c);
    }

    public Tensor mul(double c) {
        return Elementwise.affine(this, c, 0);
    }

    public Tensor div(double c) {
        return Elementwise.affine(this, 1 / c, 0);
    }

    /** {@code c - this}. */
    public Tensor rsub(double c) {
        return Elementwise.affine(this, -1, c);
    }

    public Tensor neg() {
        return Elementwise.affine(this, -1, 0);
    }

    public Tensor pow(double exponent) {
        return Elementwise.pow(this, exponent);
    }

    public Tensor square() {
        return Elementwise.pow(this, 2);
    }

    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    public Tensor exp() {
        return Elementwise.unary(this, UnaryOp.EXP);
    }

    public Tensor log() {
        return Elementwise.unary(this, UnaryOp.LOG);
    }

    public Tensor log1p() {
        return Elementwise.unary(this, UnaryOp.LOG1P);
    }

    public Tensor sqrt() {
        return Elementwise.unary(this, UnaryOp.SQRT);
    }

    public Tensor rsqrt() {
        return Elementwise.unary(this, UnaryOp.RSQRT);
    }

    public Tensor abs() {
        return Elementwise.unary(this, UnaryOp.ABS);
    }

    public Tensor tanh() {
        return Elementwise.unary(this, UnaryOp.TANH);
    }

    public Tensor sigmoid() {
        return Elementwise.unary(this, UnaryOp.SIGMOID);
    }

    /** log σ(x), computed stably as −softplus(−x). */
    public Tensor logsigmoid() {
        return Elementwise.unary(this, UnaryOp.LOGSIGMOID);
    }

    /** log(1 + eˣ), stable for large |x|. */
    public Tensor softplus() {
        return Elementwise.unary(this, UnaryOp.SOFTPLUS);
    }

    public Tensor relu() {
        return Elementwise.unary(this, UnaryOp.RELU);
    }

    /** x·σ(x). */
    public Tensor silu() {
        return Elementwise.unary(this, UnaryOp.SILU);
    }

    /** The exact GELU, x·Φ(x). */
    public Tensor gelu() {
        return Elementwise.unary(this, UnaryOp.GELU);
    }

    /** GELU's tanh approximation (GPT-2's "gelu_new"). */
    public Tensor geluTanh() {
        return Elementwise.unary(this, UnaryOp.GELU_TANH);
    }

    /** Adds {@code other} (broadcast) into this tensor in place; no autograd. */
    public Tensor addInPlace(Tensor other) {
        Elementwise.addInPlace(this, other);
        return this;
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (rank 0). */
    public Tensor sum() {
        return Reductions.sum(this, allDims(), false);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, new int[] {dim}, keepDim);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this, allDims(), false);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, new int[] {dim}, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }

    /** Maximum along {@code dim} (values; see argmax for indices). */
    public Tensor max(int dim, boolean keepDim) {
        return Reductions.max(this, new int[] {dim}, keepDim, true);
    }

    public Tensor max() {
        return Reductions.max(this, allDims(), false, true);
    }

    public Tensor min(int dim, boolean keepDim) {
        return Reductions.max(this, new int[] {dim}, keepDim, false);
    }

    public Tensor min() {
        return Reductions.max(this, allDims(), false, false);
    }

    /** Variance over {@code dims} with Bessel's {@code correction} (1 = unbiased, torch's default). */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        return Reductions.var(this, dims, correction, keepDim);
    }

    public Tensor var(int dim, boolean keepDim) {
        return Reductions.var(this, new int[] {dim}, 1, keepDim);
    }

    /** Sums broadcast dimensions away so the result has {@code target} shape (broadcast's adjoint). */
    public Tensor sumTo(int... target) {
        return Reductions.sumTo(this, target);
    }

    private int[] allDims() {
        int[] d = new int[shape.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return d;
    }

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product with PyTorch's matmul broadcasting over leading batch dimensions. */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    // ---- indexing, comparison and softmax

    /** exp(x) / Σ exp(x) along {@code dim}, max-subtracted; a fully −inf row gives NaN, as in torch. */
    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim);
    }

    /** x − log Σ exp(x) along {@code dim} (one fused kernel, stable for large magnitudes). */
    public Tensor logSoftmax(int dim) {
        return Softmax.logSoftmax(this, dim);
    }

    /** log Σ exp(x) along {@code dim}; −inf for a fully −inf row, as in torch. */
    public Tensor logsumexp(int dim, boolean keepDim) {
        return Softmax.logsumexp(this, dim, keepDim);
    }

    /** Elementwise {@code this == other} with broadcasting, as BOOL. */
    public Tensor eq(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.EQ);
    }

    public Tensor eq(double value) {
        return Comparisons.compare(this, value, Comparisons.Op.EQ);
    }

    public Tensor ne(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.NE);
    }

    public Tensor ne(double value) {
        return Comparisons.compare(this, value, Comparisons.Op.NE);
    }

    public Tensor lt(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.LT);
    }

    public Tensor lt(double value) {
        return Comparisons.compare(this, value, Comparisons.Op.LT);
    }

    public Tensor le(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.LE);
    }

    public Tensor le(double value) {
        return Comparisons.compare(this, value, Comparisons.Op.LE);
    }

    public Tensor gt(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.GT);
    }

    public Tensor gt(double value) {
        return Comparisons.compare(this, value, Comparisons.Op.GT);
    }

    public Tensor ge(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.GE);
    }

    public Tensor ge(double value) {
        return Comparisons.compare(this, value, Comparisons.Op.GE);
    }

    /** BOOL: true where this is zero. */
    public Tensor logicalNot() {
        return Comparisons.logicalNot(this);
    }

    /** BOOL: true where both are non-zero. */
    public Tensor logicalAnd(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.AND);
    }

    public Tensor logicalOr(Tensor other) {
        return Comparisons.compare(this, other, Comparisons.Op.OR);
    }

    /** {@code a} where {@code cond} is true (non-zero), else {@code b}; all three broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Where.where(cond, a, b);
    }

    /** This tensor with {@code value} where {@code mask} (broadcast to this shape) is true. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Where.maskedFill(this, mask, value);
    }

    /** torch.gather: out has index's shape, out[…j…] = this[…index[…j…]…] along {@code dim}. */
    public Tensor gather(int dim, Tensor index) {
        return Gather.gather(this, dim, index);
    }

    /** torch.scatter_add (out of place): a copy of this with src added at index along {@code dim}. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Gather.scatterAdd(this, dim, index, src);
    }

    /** The slices {@code index[i]} along {@code dim} (index 1-D, I64 or I32). */
    public Tensor indexSelect(int dim, Tensor index) {
        return IndexSelect.indexSelect(this, dim, index);
    }

    /** Rows of {@code weight} [vocab, hidden] at {@code ids}: shape ids.shape + [hidden]. */
    public static Tensor embedding(Tensor weight, Tensor ids) {
        return Embedding.lookup(weight, ids);
    }

    /** Concatenation along {@code dim}. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Concat.cat(tensors, dim);
    }

    /** Stacks equally shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Concat.stack(tensors, dim);
    }

    /** Views of {@code size} elements along {@code dim} (the last may be shorter). */
    public List<Tensor> split(int size, int dim) {
        return Concat.split(this, size, dim);
    }

    /** torch.chunk: at most {@code chunks} views of ⌈n / chunks⌉ elements along {@code dim}. */
    public List<Tensor> chunk(int chunks, int dim) {
        return Concat.chunk(this, chunks, dim);
    }

    /** Inclusive prefix sums along {@code dim}. */
    public Tensor cumsum(int dim) {
        return CumSum.cumsum(this, dim);
    }

    /** The k largest (or smallest) values along {@code dim}, best first, ties by lower index. */
    public TopK.Result topk(int k, int dim, boolean largest) {
        return TopK.topk(this, k, dim, largest);
    }

    /** Stable sort along {@code dim}, with the I64 permutation. */
    public TopK.Result sort(int dim, boolean descending) {
        return TopK.sort(this, dim, descending);
    }

    /** I64 index of the maximum along {@code dim}, first occurrence on ties. */
    public Tensor argmax(int dim, boolean keepDim) {
        return TopK.argExtreme(this, dim, keepDim, true);
    }

    /** I64 flat index of the maximum of all elements (rank 0). */
    public Tensor argmax() {
        return TopK.argExtreme(flatten(), 0, false, true);
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return TopK.argExtreme(this, dim, keepDim, false);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(Arrays.toString(shape));
        if (requiresGrad) {
            sb.append(", requiresGrad");
        }
        if (!storage.isHost()) {
            sb.append(", ").append(device());
        } else if (!storage.isReleased() && numel() <= 16) {
            sb.append(", ").append(Arrays.toString(toDoubleArray()));
        }
        return sb.append(')').toString();
    }

    // ---- gradient sinks

    /**
     * This leaf's gradient buffer, created as zeros if it has none yet, for a backward that adds
     * its contribution in place (see {@link io.rlhf4j.engine.autograd.Autograd#leafGradSink}).
     */
    public Tensor gradBuffer() {
        if (grad == null) {
            grad = newGradBuffer();
            grad.fill(0);
        }
        return grad;
    }

    // ---- devices (the Backend seam)

    /**
     * This tensor on {@code target}: itself when already there, else a contiguous copy (through the
     * CUDA context's pinned staging buffers). Differentiable: the gradient goes back to this
     * tensor's device. See {@link Devices#to}.
     */
    public Tensor to(Device target) {
        return Devices.to(this, target);
    }
}
