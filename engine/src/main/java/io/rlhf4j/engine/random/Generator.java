package io.rlhf4j.engine.random;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A seeded, splittable random stream over Philox4x32-10. A run creates one with
 * {@link #seed(long)} and hands children ({@link #split()}, {@link #fork(String)}) to each
 * consumer, so every random number of the run is determined by the seed and the program, not by
 * thread timing: each draw reserves a range of counter blocks and fills element i from block
 * {@code start + i / 2} (see {@link RandomKernels}), whatever the thread count.
 *
 * <p>{@link #state()} is a small record; {@link #restore(GeneratorState)} continues the exact
 * stream, which is what makes a resumed run identical to an uninterrupted one. Draws reserve
 * their counter range atomically, so a generator may be shared between threads, but the order in
 * which threads draw then decides who gets which numbers: give each thread its own child.
 */
public final class Generator {

    private long key;
    private long stream;
    private long counter;

    private Generator(long key, long stream, long counter) {
        this.key = key;
        this.stream = stream;
        this.counter = counter;
    }

    /** The root generator of a run: key = seed, stream 0, counter 0. */
    public static Generator seed(long seed) {
        return new Generator(seed, 0, 0);
    }

    /** A generator that continues from {@code state}. */
    public static Generator fromState(GeneratorState state) {
        return new Generator(state.key(), state.stream(), state.counter());
    }

    public synchronized GeneratorState state() {
        return new GeneratorState(key, stream, counter);
    }

    /** Continues exactly where the generator that produced {@code state} was. */
    public synchronized void restore(GeneratorState state) {
        this.key = state.key();
        this.stream = state.stream();
        this.counter = state.counter();
    }

    /**
     * A fresh child stream: its stream id is the next 64-bit draw of this generator (so this
     * generator advances, and successive splits differ), its counter starts at 0. Distinct stream
     * ids give disjoint counter ranges under the same key, so the streams never overlap.
     */
    public Generator split() {
        return new Generator(key, mix64(nextLong()), 0);
    }

    /**
     * The child stream named {@code purpose} ("dropout", "shuffle", ...): a pure function of this
     * generator's key, stream and the name, independent of how much this generator has drawn, so
     * adding a new consumer does not shift the numbers of existing ones. The same purpose gives
     * the same stream every time.
     */
    public Generator fork(String purpose) {
        long h = 0xcbf29ce484222325L;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        synchronized (this) {
            return new Generator(key, mix64(stream ^ mix64(h)), 0);
        }
    }

    /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Reserves the blocks for {@code elements} elements and returns the first. */
    private synchronized long reserve(long elements) {
        long start = counter;
        counter += RandomKernels.blocksFor(elements);
        return start;
    }

    // ---------------------------------------------------------------- scalars

    /** 64 uniform random bits (one block). */
    public long nextLong() {
        long[] w = new long[2];
        Philox.block(key, stream, reserve(2), w);
        return w[0];
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return Philox.toUnitDouble(nextLong());
    }

    /** Uniform in [0, bound). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return Math.unsignedMultiplyHigh(nextLong(), bound);
    }

    // ---------------------------------------------------------------- tensors

    /** Uniform in [lo, hi) (in F32 and F64 a value that rounds up to hi is moved just below it). */
    public Tensor uniform(int[] shape, double lo, double hi, DType dtype) {
        requireFloat(dtype, "uniform");
        if (!(lo < hi)) {
            throw new IllegalArgumentException("uniform needs lo < hi, got [" + lo + ", " + hi + ")");
        }
        Tensor out = Tensor.empty(dtype, shape);
        double top = dtype == DType.F64 ? Math.nextDown(hi) : Math.nextDown((float) hi);
        fillUniform(out, u -> Math.min(lo + (hi - lo) * u, top));
        return out;
    }

    /** Normal with the given mean and standard deviation (Box–Muller). */
    public Tensor normal(int[] shape, double mean, double std, DType dtype) {
        requireFloat(dtype, "normal");
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal needs std >= 0, got " + std);
        }
        Tensor out = Tensor.empty(dtype, shape);
        RandomKernels.fillNormal(out, key, stream, reserve(out.numel()), mean, std, 0);
        return out;
    }

    /** 1 with probability p, else 0, as F32 (torch.bernoulli). */
    public Tensor bernoulli(double p, int... shape) {
        return bernoulli(p, DType.F32, shape);
    }

    public Tensor bernoulli(double p, DType dtype, int... shape) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli probability must be in [0, 1], got " + p);
        }
        Tensor out = Tensor.empty(dtype, shape);
        fillUniform(out, u -> u < p ? 1 : 0);
        return out;
    }

    /** Integers uniform in [lo, hi) as I64 (torch.randint). */
    public Tensor randint(long lo, long hi, int... shape) {
        if (lo >= hi) {
            throw new IllegalArgumentException("randint needs lo < hi, got [" + lo + ", " + hi + ")");
        }
        Tensor out = Tensor.empty(DType.I64, shape);
        RandomKernels.fillRandint(out, key, stream, reserve(out.numel()), lo, hi - lo, 0);
        return out;
    }

    /**
     * Category indices (I64, [N, numSamples] or [numSamples]) drawn in proportion to the
     * non-negative weights in each row of {@code probs} ([N, K] or [K]; rows need not sum to 1).
     */
    public Tensor multinomial(Tensor probs, int numSamples, boolean replacement) {
        return drawCategories(probs, false, numSamples, replacement);
    }

    /** Like {@link #multinomial} with probabilities softmax(logits) along the last dimension. */
    public Tensor categorical(Tensor logits, int numSamples, boolean replacement) {
        return drawCategories(logits, true, numSamples, replacement);
    }

    private Tensor drawCategories(Tensor input, boolean logits, int numSamples, boolean replacement) {
        int[] shape = input.shape();
        int k = shape.length == 0 ? 0 : shape[shape.length - 1];
        int rows = shape.length == 2 ? shape[0] : 1;
        long start = reserve(Multinomial.elements(rows, k, Math.max(numSamples, 0), replacement));
        return Multinomial.sample(input, logits, numSamples, replacement, key, stream, start, 0);
    }

    /** A random permutation of 0 … n−1 as I64 (torch.randperm). */
    public Tensor randperm(int n) {
        int[] p = permutation(n);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = p[i];
        }
        return Tensor.ofLongs(v, n);
    }

    /**
     * A random permutation of 0 … n−1 by Fisher–Yates: for i = n−1 … 1, swap i with j uniform in
     * [0, i], j taken from element i of one draw of n elements.
     */
    public int[] permutation(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("permutation size must be non-negative, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        long start = reserve(n);
        long[] scratch = new long[2];
        for (int i = n - 1; i > 0; i--) {
            int j = (int) Math.unsignedMultiplyHigh(RandomKernels.word(key, stream, start, i, scratch), i + 1L);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Fills a contiguous floating-point tensor in place with f(u), u uniform in [0, 1), one u per
     * element; ops with their own distribution (dropout masks) use this.
     */
    public void fillUniform(Tensor out, RandomKernels.UniformMap f) {
        requireFloat(out.dtype(), "fillUniform");
        if (!out.isContiguous()) {
            throw new IllegalArgumentException("fillUniform needs a contiguous tensor, got strides "
                    + Arrays.toString(out.strides()) + " for shape " + Shapes.toString(out.shape()));
        }
        RandomKernels.fillUniform(out, key, stream, reserve(out.numel()), f, 0);
    }

    private static void requireFloat(DType dtype, String what) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(what + " needs a floating-point dtype, got " + dtype);
        }
    }

    @Override
    public synchronized String toString() {
        return "Generator(key=" + key + ", stream=" + Long.toHexString(stream) + ", counter=" + counter + ")";
    }
}
