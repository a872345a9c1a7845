package io.rlhf4j.engine.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The CPU backend's worker threads. Work is always split into a fixed number of contiguous
 * chunks that does not depend on timing, so a kernel whose result depends only on the chunk
 * ranges (each output written from exactly one chunk, in a fixed order) gives bitwise the same
 * result on every run.
 *
 * <p>Which thread runs a chunk is not fixed: the calling thread and the workers claim chunks
 * from a counter. When another process holds a core and a worker is waiting for its time slice
 * (milliseconds), the caller runs that worker's chunk itself instead of waiting: a 256³ SGEMM
 * with a fixed chunk per thread fell from ~400 to 40 GFLOP/s next to one busy process.
 *
 * <p>The thread count is {@code -Drlhf4j.threads=N} or the number of available processors.
 *
 * <p>Waiting: a worker with nothing to do, and a caller waiting for the chunks others claimed,
 * poll for {@value #SPIN_NANOS} ns, yielding the CPU between polls, and then park. Polling makes
 * back-to-back kernels cheap; yielding (not a busy spin) matters when both our threads share one
 * core: a busy spinner burns the time slice of the very thread it waits for (256³ SGEMM: 145
 * GFLOP/s with a 50 µs busy spin, 20 with 1 ms, 197 yielding, where one thread gives ~228).
 *
 * <p>One parallel region runs at a time. A call made while one is running (from inside a body,
 * or from another application thread) runs its chunks one after another on the calling thread:
 * the same chunks, so the same results.
 */
public final class Parallel {

    /** A body that processes the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final long SPIN_NANOS = 50_000;

    private static final int THREADS = Math.max(1, Integer.getInteger("rlhf4j.threads",
            Runtime.getRuntime().availableProcessors()));

    private static final AtomicBoolean BUSY = new AtomicBoolean();

    private static final Worker[] WORKERS = startWorkers();

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@link #threads()} contiguous chunks;
     * ranges shorter than {@code minChunk} elements per chunk run on fewer threads. The calling
     * thread takes part and returns when every chunk is done.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        int chunks = (int) Math.min(THREADS, Math.max(1, n / Math.max(1, (long) minChunk)));
        if (chunks <= 1 || n <= 1) {
            body.run(0, n);
            return;
        }
        if (!BUSY.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) {
                body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1));
            }
            return;
        }
        try {
            Job job = new Job(body, n, chunks);
            for (int w = 0; w < chunks - 1; w++) {
                WORKERS[w].post(job);
            }
            job.work();
            job.awaitAll();
            job.rethrow();
        } finally {
            BUSY.set(false);
        }
    }

    private static int chunkStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private static Worker[] startWorkers() {
        Worker[] workers = new Worker[THREADS - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(w + 1);
            workers[w].start();
        }
        return workers;
    }

    /** Polls {@code done} for SPIN_NANOS, yielding between polls, then parks until it holds. */
    private static void await(BooleanSupplier done, AtomicBoolean parked) {
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() < deadline) {
                Thread.yield();
                continue;
            }
            // Publish "parked" before the last check, so a poster that changes the condition
            // after that check sees the flag and unparks us.
            parked.set(true);
            while (!done.getAsBoolean()) {
                LockSupport.park(Parallel.class);
            }
            parked.set(false);
        }
    }

    /** One forRange call: its chunks, the next one to claim, the count done, first failure. */
    private static final class Job {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread caller = Thread.currentThread();
        private final AtomicBoolean callerParked = new AtomicBoolean();

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                if (done.incrementAndGet() == chunks && Thread.currentThread() != caller
                        && callerParked.get()) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void awaitAll() {
            await(() -> done.get() == chunks, callerParked);
        }

        void rethrow() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException("CPU worker failed", t);
            }
        }
    }

    private static final class Worker extends Thread {
        private final AtomicReference<Job> posted = new AtomicReference<>();
        private final AtomicBoolean parked = new AtomicBoolean();

        Worker(int index) {
            super("rlhf4j-cpu-" + index);
            setDaemon(true);
        }

        void post(Job job) {
            posted.set(job);
            if (parked.get()) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                await(() -> posted.get() != null, parked);
                posted.getAndSet(null).work();
            }
        }
    }
}
