package io.rlhf4j.engine.cuda;

import static io.rlhf4j.engine.cuda.GpuTestSupport.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Device memory on a real GPU: copies through pinned staging, the allocator, modules, OOM. */
@Tag("gpu")
class DeviceMemoryGpuTest {

    @Test
    void everyCatalogEntryResolvesInItsLoadedModule() {
        CudaContext ctx = GpuTestSupport.context();
        for (KernelSignature k : RlKernelCatalog.ALL) {
            assertThat(ctx.modules().function(k)).as(k.name()).isNotNull();
        }
    }

    @Test
    void tensorsRoundTripInEveryKernelDtype() {
        CudaContext ctx = GpuTestSupport.context();
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            Tensor f = Tensor.of(gaussian(1, 12345, 0, 1), 15, 823);
            assertThat(ctx.download(ctx.upload(f)).toFloatArray()).containsExactly(f.toFloatArray());
            Tensor bf = f.to(DType.BF16);
            assertThat(ctx.download(ctx.upload(bf)).toFloatArray()).containsExactly(bf.toFloatArray());
            Tensor ids = Tensor.ofInts(new int[] {-100, 0, 151935, Integer.MAX_VALUE}, 4);
            assertThat(ctx.download(ctx.upload(ids)).toLongArray()).containsExactly(-100, 0, 151935, Integer.MAX_VALUE);
            Tensor strided = f.transpose(0, 1);  // a non-contiguous view uploads as its contiguous copy
            assertThat(ctx.download(ctx.upload(strided)).toFloatArray()).containsExactly(strided.contiguous().toFloatArray());
        }
    }

    @Test
    void chunkedStagingCopiesSizesThatAreNotMultiplesOfTheChunk() {
        GpuTestSupport.context();
        CudaContext small = CudaContext.withStagingChunk(0, 1024);
        try (Arena arena = Arena.ofConfined(); var d = DeviceScope.open()) {
            for (int bytes : new int[] {1, 1023, 1024, 1025, 10_000, 65_536 + 7}) {
                MemorySegment src = arena.allocate(bytes);
                for (int i = 0; i < bytes; i++) {
                    src.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
                }
                DeviceBuffer b = small.upload(src, DType.I8, bytes);
                DeviceBuffer copy = small.allocator().allocate(DType.I8, bytes);
                small.copy(b, copy);
                MemorySegment back = arena.allocate(bytes);
                small.copyToHost(copy, back);
                assertThat(back.mismatch(src)).as("%d bytes", bytes).isEqualTo(-1);
            }
        }
    }

    @Test
    void zeroAndUnalignedViewsWork() {
        CudaContext ctx = GpuTestSupport.context();
        try (var s = Memory.scope(); var d = DeviceScope.open()) {
            DeviceBuffer b = ctx.upload(Tensor.of(gaussian(2, 100, 0, 1), 100));
            DeviceBuffer v = b.view(4, DType.F32, 10);
            ctx.zero(v);
            float[] back = ctx.download(b).toFloatArray();
            float[] orig = gaussian(2, 100, 0, 1);
            for (int i = 0; i < 100; i++) {
                assertThat(back[i]).isEqualTo(i >= 1 && i <= 10 ? 0f : orig[i]);
            }
        }
    }

    @Test
    void allocatorReusesBlocksAcrossSteps() {
        CudaContext ctx = GpuTestSupport.context();
        DeviceAllocator a = ctx.allocator();
        for (int step = 0; step < 3; step++) {
            try (var d = DeviceScope.open()) {
                a.allocate(DType.F32, 3, 1 << 20);
                a.allocate(DType.BF16, 777);
            }
        }
        AllocatorStats before = a.stats();
        try (var d = DeviceScope.open()) {
            a.allocate(DType.F32, 3, 1 << 20);
            a.allocate(DType.BF16, 777);
        }
        AllocatorStats after = a.stats();
        assertThat(after.bytesReserved()).isEqualTo(before.bytesReserved());
        assertThat(after.hits() - before.hits()).isEqualTo(2);
    }

    @Test
    void outOfMemoryNamesSizesAndDeviceMemory() {
        CudaContext ctx = GpuTestSupport.context();
        long total = ctx.allocator().deviceInfo().totalBytes();
        int[] shape = {Math.toIntExact(Math.min(Integer.MAX_VALUE, total / (1 << 20) * 2)), 1 << 20};  // ~2x the device
        assertThatThrownBy(() -> ctx.allocator().allocate(DType.I8, shape))
                .isInstanceOf(DeviceOutOfMemoryException.class)
                .hasMessageContaining("CUDA out of memory on cuda:0")
                .hasMessageContaining("free of");
        try (DeviceBuffer ok = ctx.allocator().allocate(DType.F32, 16)) {
            assertThat(ok.byteSize()).as("the device still works").isEqualTo(64);
        }
    }
}
