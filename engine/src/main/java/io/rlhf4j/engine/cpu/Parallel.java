package io.rlhf4j.engine.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The CPU backend's worker threads. Work is always split into a fixed number of contiguous
 * chunks that does not depend on timing, so a kernel that writes each output from exactly one
 * chunk gives bitwise the same result on every run.
 *
 * <p>The thread count is {@code -Drlhf4j.threads=N} or the number of available processors.
 */
public final class Parallel {

    /** A body that processes the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Integer.getInteger("rlhf4j.threads",
            Runtime.getRuntime().availableProcessors());

    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(
            Math.max(1, THREADS - 1), runnable -> {
                Thread t = new Thread(runnable, "rlhf4j-cpu");
                t.setDaemon(true);
                return t;
            });

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@link #threads()} contiguous chunks;
     * ranges shorter than {@code minChunk} elements per chunk run on fewer threads. The calling
     * thread takes the first chunk.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        int chunks = (int) Math.min(THREADS, Math.max(1, n / Math.max(1, (long) minChunk)));
        if (chunks <= 1 || n <= 1) {
            body.run(0, n);
            return;
        }
        CountDownLatch done = new CountDownLatch(chunks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            WORKERS.execute(() -> {
                try {
                    body.run(start, end);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        body.run(0, (int) ((long) n / chunks));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for CPU workers", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }
}
