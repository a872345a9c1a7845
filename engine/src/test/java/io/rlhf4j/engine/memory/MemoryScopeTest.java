package io.rlhf4j.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class MemoryScopeTest {

    @Test
    void closingAScopeReturnsItsMemoryAndPoisonsItsTensors() {
        long before = Memory.pool().stats().bytesInUse();
        Tensor inside;
        Tensor kept;
        try (var s = Memory.scope()) {
            inside = Tensor.ones(DType.F32, 1000);
            assertThat(Memory.pool().stats().bytesInUse()).isGreaterThanOrEqualTo(before + 4000);
            kept = inside.mul(2).escape();
        }
        assertThat(Memory.pool().stats().bytesInUse()).isEqualTo(before);
        assertThatThrownBy(inside::toFloatArray).hasMessageContaining("after its Memory.scope() closed");
        assertThat(kept.toFloatArray()[999]).isEqualTo(2f);
    }

    @Test
    void repeatedScopesReuseBlocks() {
        for (int i = 0; i < 3; i++) {
            try (var s = Memory.scope()) {
                Tensor.zeros(DType.F32, 12345);
            }
        }
        long reserved = Memory.pool().stats().bytesReserved();
        for (int i = 0; i < 10; i++) {
            try (var s = Memory.scope()) {
                Tensor.zeros(DType.F32, 12345);
            }
        }
        assertThat(Memory.pool().stats().bytesReserved()).isEqualTo(reserved);
    }

    @Test
    void blocksAre64ByteAlignedAndSizeClassesBoundWaste() {
        try (var s = Memory.scope()) {
            assertThat(Tensor.empty(DType.F32, 3).segment().address() % 64).isZero();
        }
        assertThat(CpuMemoryPool.sizeClass(1)).isEqualTo(64);
        assertThat(CpuMemoryPool.sizeClass(65)).isEqualTo(128);
        assertThat(CpuMemoryPool.sizeClass(4096)).isEqualTo(4096);
        assertThat(CpuMemoryPool.sizeClass(4097)).isEqualTo(4096 + 512);
        assertThat(CpuMemoryPool.sizeClass((1 << 20) + 1)).isEqualTo((1L << 20) + (1 << 17));
        assertThat(CpuMemoryPool.sizeClass(5L << 20)).isEqualTo(5L << 20);
        // [512 tokens, 576 hidden] F32, SmolLM's activation: an exact class, not 2 MiB.
        assertThat(CpuMemoryPool.sizeClass(512 * 576 * 4)).isEqualTo(512 * 576 * 4);
        for (long bytes = 65; bytes < (64L << 20); bytes = bytes * 3 / 2 + 7) {
            long size = CpuMemoryPool.sizeClass(bytes);
            assertThat(size % 64).isZero();
            assertThat((double) size).isBetween((double) bytes, bytes <= 4096 ? 2.0 * bytes : 1.125 * bytes);
        }
    }

    @Test
    void gradientsOfScopedLeavesOutliveInnerScopes() {
        Tensor w = Tensor.ones(DType.F32, 4).requiresGrad(true);
        try (var s = Memory.scope()) {
            w.mul(3).sum().backward();
        }
        assertThat(w.grad().toFloatArray()).containsExactly(3, 3, 3, 3);
    }
}
