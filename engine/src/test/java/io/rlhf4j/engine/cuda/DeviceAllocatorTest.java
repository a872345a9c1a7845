package io.rlhf4j.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import org.junit.jupiter.api.Test;

class DeviceAllocatorTest {

    private static final long MIB = 1 << 20;

    @Test
    void sizeClassesArePowersOfTwoFrom512ThenWholeMebibytes() {
        assertThat(DeviceAllocator.sizeClass(0)).isEqualTo(512);
        assertThat(DeviceAllocator.sizeClass(1)).isEqualTo(512);
        assertThat(DeviceAllocator.sizeClass(512)).isEqualTo(512);
        assertThat(DeviceAllocator.sizeClass(513)).isEqualTo(1024);
        assertThat(DeviceAllocator.sizeClass(3000)).isEqualTo(4096);
        assertThat(DeviceAllocator.sizeClass(MIB)).isEqualTo(MIB);
        assertThat(DeviceAllocator.sizeClass(MIB + 1)).isEqualTo(2 * MIB);
        assertThat(DeviceAllocator.sizeClass(5 * MIB - 7)).isEqualTo(5 * MIB);
        assertThat(DeviceAllocator.sizeClass(5 * MIB + 1)).isEqualTo(6 * MIB);
        assertThatThrownBy(() -> DeviceAllocator.sizeClass(-1)).hasMessageContaining("-1");
    }

    @Test
    void releasedBlocksAreReusedAndCounted() {
        FakeDeviceMemory mem = new FakeDeviceMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator("fake:0", mem);
        for (int step = 0; step < 5; step++) {
            try (DeviceScope s = DeviceScope.open()) {
                a.allocate(DType.F32, 1000);           // 4000 B → 4096
                a.allocate(DType.BF16, 3, 1 << 20);     // 6 MiB
            }
        }
        assertThat(mem.mallocs).containsExactly(4096L, 6 * MIB);
        AllocatorStats st = a.stats();
        assertThat(st.allocations()).isEqualTo(10);
        assertThat(st.hits()).isEqualTo(8);
        assertThat(st.bytesInUse()).isZero();
        assertThat(st.bytesReserved()).isEqualTo(4096 + 6 * MIB);
        a.trim();
        assertThat(a.stats().bytesReserved()).isZero();
        assertThat(mem.frees).isEqualTo(2);
    }

    @Test
    void scopeReleasesItsBuffersAndEscapedOnesMoveToTheParent() {
        DeviceAllocator a = new DeviceAllocator("fake:0", new FakeDeviceMemory(1L << 30));
        DeviceBuffer kept;
        DeviceBuffer inner;
        try (DeviceScope outer = DeviceScope.open()) {
            try (DeviceScope s = DeviceScope.open()) {
                inner = a.allocate(DType.F32, 10);
                kept = s.escape(a.allocate(DType.F32, 20));
            }
            assertThat(inner.isReleased()).isTrue();
            assertThat(kept.isReleased()).isFalse();
            assertThat(a.stats().bytesInUse()).isEqualTo(512);
        }
        assertThat(kept.isReleased()).isTrue();
        assertThat(a.stats().bytesInUse()).isZero();
        assertThatThrownBy(kept::pointer).hasMessageContaining("used after it was released");
    }

    @Test
    void unscopedBufferIsReleasedByCloseOnce() {
        DeviceAllocator a = new DeviceAllocator("fake:0", new FakeDeviceMemory(1L << 30));
        DeviceBuffer b = a.allocate(DType.I32, 7);
        assertThat(b.byteSize()).isEqualTo(28);
        assertThat(a.stats().bytesInUse()).isEqualTo(512);
        b.close();
        b.close();
        assertThat(a.stats().bytesInUse()).isZero();
    }

    @Test
    void viewsCheckBoundsAndFollowTheirParent() {
        DeviceAllocator a = new DeviceAllocator("fake:0", new FakeDeviceMemory(1L << 30));
        DeviceBuffer b = a.allocate(DType.F32, 100);
        DeviceBuffer v = b.view(4, DType.F32, 10, 9);
        assertThat(v.byteSize()).isEqualTo(360);
        assertThat(v.shape()).containsExactly(10, 9);
        assertThatThrownBy(() -> b.view(8, DType.F32, 100)).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> b.reshape(3, 33)).hasMessageContaining("cannot reshape");
        v.close();
        assertThat(b.isReleased()).isFalse();
        b.close();
        assertThat(v.isReleased()).isTrue();
    }

    @Test
    void outOfMemoryTrimsTheCacheThenReportsSizesAndDeviceMemory() {
        FakeDeviceMemory mem = new FakeDeviceMemory(10 * MIB);
        DeviceAllocator a = new DeviceAllocator("fake:0", mem);
        a.allocate(DType.F32, 1 << 20).close();             // 4 MiB cached
        DeviceBuffer big = a.allocate(DType.F32, 2 << 20);  // 8 MiB: fits only after the trim
        assertThat(mem.frees).isEqualTo(1);
        assertThat(a.stats().bytesReserved()).isEqualTo(8 * MIB);
        assertThatThrownBy(() -> a.allocate(DType.F32, 1 << 20))
                .isInstanceOf(DeviceOutOfMemoryException.class)
                .hasMessageContaining("fake:0")
                .hasMessageContaining("4194304 bytes")
                .hasMessageContaining("8.0 MiB in use")
                .hasMessageContaining("8.0 MiB reserved")
                .hasMessageContaining("2.0 MiB free of 10.0 MiB");
        big.close();
    }
}
