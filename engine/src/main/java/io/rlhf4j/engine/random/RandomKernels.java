package io.rlhf4j.engine.random;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;

/**
 * Fills tensors from a Philox stream. Element i of a draw that starts at block {@code counter}
 * uses the 64-bit word {@code i mod 2} of block {@code counter + i / 2}, so its value is a pure
 * function of (key, stream, counter, i): the result does not depend on how the range is split
 * across threads. A draw of n elements therefore consumes ⌈n / 2⌉ blocks.
 */
public final class RandomKernels {

    /** Maps a uniform double in [0, 1) to an element value. */
    @FunctionalInterface
    public interface UniformMap {
        double apply(double u);
    }

    /** Blocks consumed by a draw of {@code n} elements. */
    public static long blocksFor(long n) {
        return (n + 1) / 2;
    }

    private RandomKernels() {
    }

    /**
     * Runs {@code body} over [0, n): split into {@code chunks} contiguous ranges run one after the
     * other when {@code chunks > 0} (for tests of split independence), else across the CPU workers.
     */
    static void forRange(int n, int chunks, Parallel.RangeBody body) {
        if (chunks <= 0) {
            Parallel.forRange(n, 1 << 13, body);
            return;
        }
        for (int c = 0; c < chunks; c++) {
            body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
        }
    }

    /** out[i] = f(u_i) for a contiguous floating-point tensor. */
    public static void fillUniform(Tensor out, long key, long stream, long counter, UniformMap f, int chunks) {
        MemorySegment seg = out.segment();
        DType type = out.dtype();
        long base = out.offset();
        forRange(Math.toIntExact(out.numel()), chunks, (start, end) -> {
            long[] w = new long[2];
            long loaded = -1;
            for (int i = start; i < end; i++) {
                long blk = counter + (i >>> 1);
                if (blk != loaded) {
                    Philox.block(key, stream, blk, w);
                    loaded = blk;
                }
                TypedAccess.set(seg, type, base + i, f.apply(Philox.toUnitDouble(w[i & 1])));
            }
        });
    }

    /**
     * Normal deviates by the Box–Muller transform: the pair (2j, 2j+1) comes from block
     * {@code counter + j} as r·cos θ and r·sin θ with r = √(−2 ln(1 − u₀)), θ = 2π u₁.
     */
    public static void fillNormal(Tensor out, long key, long stream, long counter, double mean, double std,
            int chunks) {
        MemorySegment seg = out.segment();
        DType type = out.dtype();
        long base = out.offset();
        forRange(Math.toIntExact(out.numel()), chunks, (start, end) -> {
            long[] w = new long[2];
            int i = start;
            while (i < end) {
                Philox.block(key, stream, counter + (i >>> 1), w);
                double r = Math.sqrt(-2 * Math.log(1 - Philox.toUnitDouble(w[0])));
                double theta = 2 * Math.PI * Philox.toUnitDouble(w[1]);
                if ((i & 1) == 0) {
                    TypedAccess.set(seg, type, base + i, mean + std * (r * Math.cos(theta)));
                    i++;
                }
                if (i < end) {
                    TypedAccess.set(seg, type, base + i, mean + std * (r * Math.sin(theta)));
                    i++;
                }
            }
        });
    }

    /**
     * Integers uniform in [lo, lo + range) as I64, by Lemire's multiply-high map of a 64-bit word
     * (bias below range / 2⁶⁴, negligible for any tensor-sized range).
     */
    public static void fillRandint(Tensor out, long key, long stream, long counter, long lo, long range, int chunks) {
        MemorySegment seg = out.segment();
        long base = out.offset();
        forRange(Math.toIntExact(out.numel()), chunks, (start, end) -> {
            long[] w = new long[2];
            long loaded = -1;
            for (int i = start; i < end; i++) {
                long blk = counter + (i >>> 1);
                if (blk != loaded) {
                    Philox.block(key, stream, blk, w);
                    loaded = blk;
                }
                seg.setAtIndex(TypedAccess.I64, base + i, lo + Math.unsignedMultiplyHigh(w[i & 1], range));
            }
        });
    }

    /** The 64-bit word for element {@code i} of a draw starting at block {@code counter}. */
    static long word(long key, long stream, long counter, long i, long[] scratch) {
        Philox.block(key, stream, counter + (i >>> 1), scratch);
        return scratch[(int) (i & 1)];
    }
}
