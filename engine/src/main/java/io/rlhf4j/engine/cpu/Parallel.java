package io.rlhf4j.engine.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The CPU backend's worker threads. Work is always split into a fixed number of contiguous
 * chunks that does not depend on timing, so a kernel that writes each output from exactly one
 * chunk gives bitwise the same result on every run.
 *
 * <p>The thread count is {@code -Drlhf4j.threads=N} or the number of available processors.
 *
 * <p>Waiting: a worker with nothing to do, and a caller waiting for its workers, spin for
 * {@value #SPIN_NANOS} ns and then park. Spinning alone makes back-to-back kernels cheap but
 * collapses when another process holds a core (the spinner steals the time slice of the thread
 * it waits for: a 256³ SGEMM fell to ~6 GFLOP/s); parking alone costs tens of microseconds per
 * kernel.
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
     * thread takes the first chunk.
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
            for (int c = 1; c < chunks; c++) {
                WORKERS[c - 1].post(job, c);
            }
            job.run(0);
            job.awaitWorkers();
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

    /** Spins up to SPIN_NANOS for {@code done}, then parks until it holds. */
    private static void await(BooleanSupplier done, AtomicBoolean parked) {
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() < deadline) {
                Thread.onSpinWait();
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

    /** One forRange call: its chunks, completion count and first failure. */
    private static final class Job {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final AtomicInteger pending;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread caller = Thread.currentThread();
        private final AtomicBoolean callerParked = new AtomicBoolean();

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks - 1);
        }

        void run(int chunk) {
            try {
                body.run(chunkStart(n, chunks, chunk), chunkStart(n, chunks, chunk + 1));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        void workerDone() {
            if (pending.decrementAndGet() == 0 && callerParked.get()) {
                LockSupport.unpark(caller);
            }
        }

        void awaitWorkers() {
            await(() -> pending.get() == 0, callerParked);
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
        private volatile int chunk;

        Worker(int index) {
            super("rlhf4j-cpu-" + index);
            setDaemon(true);
        }

        void post(Job job, int chunkIndex) {
            chunk = chunkIndex;
            posted.set(job);
            if (parked.get()) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                await(() -> posted.get() != null, parked);
                Job job = posted.getAndSet(null);
                job.run(chunk);
                job.workerDone();
            }
        }
    }
}
