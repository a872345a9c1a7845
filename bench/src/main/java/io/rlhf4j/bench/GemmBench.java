package io.rlhf4j.bench;

import io.rlhf4j.engine.cpu.Sgemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * F32 GEMM throughput on the CPU ({@link Sgemm}), against the machine's FMA limit and numpy
 * ({@code bench/peers/numpy_gemm.py} times the same shapes).
 *
 * <p>The primary score is products per second; GFLOP/s = score × 2·m·n·k / 1e9 (2n³/1e9 for the
 * square cases, 8 × 2·512³/1e9 for the batched one). The secondary result {@code gflops} (an
 * {@link AuxCounters} counter) reports exactly that, in GFLOP/s.
 *
 * <p>Forks run with {@code -XX:-TieredCompilation}: the micro-kernel is too large for C1 ("out of
 * virtual registers"), and under tiered compilation it can stay interpreted (~1 GFLOP/s) for
 * seconds before C2 takes it, so warm-up time would decide the figure.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar GemmBench -p n=1024}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-XX:-TieredCompilation"})
public class GemmBench {

    /** Square n×n×n operands, 64-byte aligned, entries uniform in [-1, 1). */
    @State(Scope.Benchmark)
    public static class Square {
        @Param({"256", "512", "1024", "2048"})
        public int n;

        MemorySegment a;
        MemorySegment b;
        MemorySegment c;

        @Setup
        public void setUp() {
            a = randomMatrix(1, n, n, 1);
            b = randomMatrix(1, n, n, 2);
            c = randomMatrix(1, n, n, 3);
        }
    }

    /** n = 1000: no dimension is a multiple of the micro-tile, so edge tiles are timed too. */
    @State(Scope.Benchmark)
    public static class Uneven {
        static final int N = 1000;
        final MemorySegment a = randomMatrix(1, N, N, 4);
        final MemorySegment b = randomMatrix(1, N, N, 5);
        final MemorySegment c = randomMatrix(1, N, N, 6);
    }

    /** 8 independent 512×512×512 products, as attention's per-head matmuls are. */
    @State(Scope.Benchmark)
    public static class Batched {
        static final int BATCH = 8;
        static final int N = 512;
        static final long STRIDE = (long) N * N;
        final MemorySegment a = randomMatrix(BATCH, N, N, 7);
        final MemorySegment b = randomMatrix(BATCH, N, N, 8);
        final MemorySegment c = randomMatrix(BATCH, N, N, 9);
    }

    /** The secondary result: floating-point operations done, reported per second in GFLOP. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;

        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }

        void add(long m, long n, long k) {
            gflops += 2e-9 * m * n * k;
        }
    }

    @Benchmark
    public void sgemm(Square s, Flops f) {
        int n = s.n;
        Sgemm.sgemm(false, false, n, n, n, s.a, 0, n, s.b, 0, n, s.c, 0, n, false);
        f.add(n, n, n);
    }

    @Benchmark
    public void sgemmTransA(Square s, Flops f) {
        int n = s.n;
        Sgemm.sgemm(true, false, n, n, n, s.a, 0, n, s.b, 0, n, s.c, 0, n, false);
        f.add(n, n, n);
    }

    @Benchmark
    public void sgemmTransB(Square s, Flops f) {
        int n = s.n;
        Sgemm.sgemm(false, true, n, n, n, s.a, 0, n, s.b, 0, n, s.c, 0, n, false);
        f.add(n, n, n);
    }

    @Benchmark
    public void sgemmUneven(Uneven s, Flops f) {
        int n = Uneven.N;
        Sgemm.sgemm(false, false, n, n, n, s.a, 0, n, s.b, 0, n, s.c, 0, n, false);
        f.add(n, n, n);
    }

    @Benchmark
    public void sgemmBatched(Batched s, Flops f) {
        int n = Batched.N;
        long st = Batched.STRIDE;
        Sgemm.sgemmBatched(false, false, Batched.BATCH, n, n, n, s.a, 0, st, n, s.b, 0, st, n,
                s.c, 0, st, n, false);
        f.add((long) Batched.BATCH * n, n, n);
    }

    private static MemorySegment randomMatrix(int batch, int rows, int cols, long seed) {
        long count = (long) batch * rows * cols;
        MemorySegment s = Arena.ofAuto().allocate(count * Float.BYTES, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (2 * rnd.nextDouble() - 1));
        }
        return s;
    }
}
