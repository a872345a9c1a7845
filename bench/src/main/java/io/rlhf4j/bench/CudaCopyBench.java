package io.rlhf4j.bench;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.cuda.CudaContext;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Device-to-device copy of a {@code mib}-MiB buffer ({@code cuMemcpyDtoDAsync}, then a stream
 * sync): the machine's practical memory bandwidth, the yardstick the RL kernels are held
 * against. Bytes per op: 2·size (each byte is read once and written once), the convention of
 * the ~4.3 TB/s figure in notes/gpu-machine.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class CudaCopyBench {

    @Param({"1024"})
    public int mib;

    private CudaContext ctx;
    private DeviceBuffer src;
    private DeviceBuffer dst;

    @Setup
    public void setup() {
        ctx = CudaBenchState.context();
        src = ctx.allocator().allocate(DType.I8, mib, 1 << 20);
        dst = ctx.allocator().allocate(DType.I8, mib, 1 << 20);
        ctx.zero(src);
        ctx.synchronize();
    }

    @TearDown
    public void tearDown() {
        src.close();
        dst.close();
        ctx.allocator().trim();
    }

    @Benchmark
    public void copyDtoD() {
        ctx.copy(src, dst);
        ctx.synchronize();
    }
}
