package io.rlhf4j.engine.cuda;

/** A one-dimensional launch: blocks, threads per block and dynamic shared memory bytes. */
public record LaunchShape(int grid, int block, int sharedBytes) {

    public static LaunchShape of(int grid, int block) {
        return new LaunchShape(grid, block, 0);
    }

    /** Enough blocks of {@code block} threads to cover {@code n} items, at most {@code maxGrid}. */
    public static LaunchShape covering(long n, int block, int maxGrid) {
        long blocks = Math.max(1, (n + block - 1) / block);
        return of((int) Math.min(blocks, maxGrid), block);
    }

    @Override
    public String toString() {
        return "grid " + grid + " × block " + block + (sharedBytes > 0 ? ", " + sharedBytes + " B shared" : "");
    }
}
