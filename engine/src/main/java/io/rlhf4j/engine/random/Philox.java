package io.rlhf4j.engine.random;

/**
 * The Philox4x32 counter-based bijection (Salmon, Moraes, Dror, Shaw: "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011), the generator family torch uses on CUDA. For a fixed 64-bit key
 * it maps each 128-bit counter to 128 pseudo-random bits, so any position of a stream can be
 * computed directly, in any order, on any thread.
 *
 * <p>Round: (c0, c1, c2, c3) → (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0));
 * the key is bumped by the Weyl constants (W0, W1) between rounds. Constants are the paper's.
 */
public final class Philox {

    /** Rounds of Philox4x32-10, the variant the paper recommends as crush-resistant with margin. */
    public static final int ROUNDS = 10;

    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long MASK = 0xFFFFFFFFL;

    private Philox() {
    }

    /** Philox4x32 with {@code rounds} rounds: four output words for counter {@code ctr} and key {@code key}. */
    public static int[] philox4x32(int[] ctr, int[] key, int rounds) {
        if (ctr.length != 4 || key.length != 2) {
            throw new IllegalArgumentException("Philox4x32 needs a 4-word counter and a 2-word key, got "
                    + ctr.length + " and " + key.length);
        }
        int c0 = ctr[0];
        int c1 = ctr[1];
        int c2 = ctr[2];
        int c3 = ctr[3];
        int k0 = key[0];
        int k1 = key[1];
        for (int r = 0; r < rounds; r++) {
            if (r > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = M0 * (c0 & MASK);
            long p1 = M1 * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /**
     * Block {@code block} of stream {@code stream} under {@code key} as two 64-bit words: the
     * counter is (block low, block high, stream low, stream high), the key (key low, key high);
     * word j of the result is output words 2j (low half) and 2j+1 (high half). Writes into
     * {@code out[0..1]}.
     */
    public static void block(long key, long stream, long block, long[] out) {
        int c0 = (int) block;
        int c1 = (int) (block >>> 32);
        int c2 = (int) stream;
        int c3 = (int) (stream >>> 32);
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = M0 * (c0 & MASK);
            long p1 = M1 * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = (c0 & MASK) | ((long) c1 << 32);
        out[1] = (c2 & MASK) | ((long) c3 << 32);
    }

    /** A double in [0, 1) from the top 53 bits of {@code bits}. */
    public static double toUnitDouble(long bits) {
        return (bits >>> 11) * 0x1p-53;
    }
}
