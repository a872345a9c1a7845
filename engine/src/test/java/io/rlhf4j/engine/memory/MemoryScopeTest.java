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
        assertThat(CpuMemoryPool.sizeClass((1 << 20) + 1)).isEqualTo(2L << 20);
        assertThat(CpuMemoryPool.sizeClass(5L << 20)).isEqualTo(5L << 20);
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
