package io.rlhf4j.engine.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaRuntime;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import io.rlhf4j.engine.cuda.DeviceScope;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Tensors on a (fake) CUDA device: what they are, who frees their memory, and how CPU code fails on them. */
class DeviceTensorTest {

    private final FakeDevice fake = new FakeDevice();

    @Test
    void aWrappedBufferIsAContiguousTensorOnItsDevice() {
        try (var s = Memory.scope()) {
            Tensor t = fake.tensor(4, 3);
            assertThat(t.device()).isEqualTo(FakeDevice.CUDA0);
            assertThat(t.device().toString()).isEqualTo("cuda:0");
            assertThat(t.storage().isHost()).isFalse();
            assertThat(t.shape()).containsExactly(4, 3);
            assertThat(t.isContiguous()).isTrue();
            assertThat(t.toString()).isEqualTo("Tensor(F32[4, 3], cuda:0)");
            assertThat(Tensor.of(new float[] {1, 2}, 2).device()).isEqualTo(Device.CPU);
        }
    }

    @Test
    void cpuOpsOnADeviceTensorFailNamingTheDeviceAndTheWayOut() {
        try (var s = Memory.scope()) {
            Tensor t = fake.tensor(2, 3);
            Tensor one = fake.tensor(1);
            for (Runnable op : new Runnable[] {() -> t.add(t), one::item, t::toFloatArray, () -> t.fill(0),
                () -> t.transpose(0, 1).contiguous(), () -> t.sum()}) {
                assertThatThrownBy(op::run).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("tensor memory is on cuda:0")
                        .hasMessageContaining("call .to(Device.CPU)")
                        .hasMessageContaining("an op the CUDA backend implements");
            }
        }
    }

    @Test
    void viewsStayOnTheDeviceAndUnwrapToBuffersWithoutCopies() {
        try (var s = Memory.scope()) {
            Tensor t = fake.tensor(4, 3);
            DeviceBuffer whole = t.storage().deviceBuffer();
            assertThat(CudaTensors.buffer(t, "t", FakeDevice.CUDA0)).isSameAs(whole);
            Tensor rows = t.narrow(0, 1, 2);
            assertThat(rows.device()).isEqualTo(FakeDevice.CUDA0);
            DeviceBuffer view = CudaTensors.buffer(rows, "rows", FakeDevice.CUDA0);
            assertThat(view.shape()).containsExactly(2, 3);
            assertThat(view.byteSize()).isEqualTo(24);
            assertThat(CudaTensors.buffer(t.reshape(12), "flat", FakeDevice.CUDA0).shape()).containsExactly(12);
            assertThatThrownBy(() -> CudaTensors.buffer(t.transpose(0, 1), "logits", FakeDevice.CUDA0))
                    .hasMessageContaining("logits on cuda:0 is not contiguous")
                    .hasMessageContaining("strides [1, 3]");
            assertThatThrownBy(() -> CudaTensors.buffer(Tensor.zeros(DType.F32, 2), "mask", FakeDevice.CUDA0))
                    .hasMessageContaining("mask is on cpu, expected cuda:0");
        }
    }

    @Test
    void deviceMemoryReturnsToTheAllocatorWhenTheMemoryScopeCloses() {
        Tensor t;
        try (var s = Memory.scope()) {
            t = fake.tensor(1000);
            fake.tensor(10);
            assertThat(fake.bytesInUse()).isEqualTo(4096 + 512);
        }
        assertThat(fake.bytesInUse()).isZero();
        assertThat(t.storage().isReleased()).isTrue();
        assertThatThrownBy(() -> CudaTensors.buffer(t, "t", FakeDevice.CUDA0).pointer())
                .hasMessageContaining("used after it was released");
    }

    @Test
    void aWrappedBufferLeavesItsDeviceScopeForTheMemoryScope() {
        Tensor t;
        DeviceBuffer raw;
        try (var s = Memory.scope()) {
            try (var d = DeviceScope.open()) {
                t = CudaTensors.wrap(fake.allocator.allocate(DType.F32, 100), FakeDevice.CUDA0);
                raw = fake.allocator.allocate(DType.F32, 100);
            }
            assertThat(raw.isReleased()).as("a raw buffer follows its device scope").isTrue();
            assertThat(t.storage().isReleased()).as("a tensor follows its memory scope").isFalse();
        }
        assertThat(t.storage().isReleased()).isTrue();
        assertThat(fake.bytesInUse()).isZero();
    }

    @Test
    void adoptAndFreeMoveDeviceStorageLikeHostStorage() {
        try (var outer = Memory.scope()) {
            Tensor t;
            try (var inner = Memory.scope()) {
                t = fake.tensor(64);
                outer.adopt(t.storage());
            }
            assertThat(t.storage().isReleased()).isFalse();
            assertThat(fake.bytesInUse()).isEqualTo(512);
            outer.free(t.storage());
            assertThat(t.storage().isReleased()).isTrue();
            assertThat(fake.bytesInUse()).isZero();
        }
    }

    @Test
    void aDeviceTensorOutsideAnyScopeIsFreedWhenCollected() throws InterruptedException {
        assertThat(Memory.current()).isNull();
        allocateAndDrop();
        assertThat(fake.bytesInUse()).isEqualTo(4096);
        for (int i = 0; i < 200 && fake.bytesInUse() != 0; i++) {
            System.gc();
            Thread.sleep(25);
        }
        assertThat(fake.bytesInUse()).isZero();
    }

    private void allocateAndDrop() {
        assertThat(fake.tensor(1000).device()).isEqualTo(FakeDevice.CUDA0);
    }

    @Test
    void mixedDevicesAreAnErrorNamingBothArguments() {
        try (var s = Memory.scope()) {
            Tensor gpu = fake.tensor(6);
            Tensor cpu = Tensor.ones(DType.F32, 6);
            assertThatThrownBy(() -> RlF.klMean(KlEstimators.Kind.K3, gpu, cpu, cpu))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ref is on cpu but logp is on cuda:0");
            assertThatThrownBy(() -> RlF.ppoClipMean(new RlKernels.Clip(0.2, 0.2, 0), cpu, cpu, cpu, gpu))
                    .hasMessageContaining("mask is on cuda:0 but logp is on cpu");
            assertThatThrownBy(() -> RlF.maskedMean(cpu, gpu)).hasMessageContaining("mask is on cuda:0 but x is on cpu");
            assertThatThrownBy(() -> RlF.logSoftmaxGather(fake.tensor(2, 5), Tensor.ofInts(new int[] {1, 2}, 2)))
                    .hasMessageContaining("ids is on cpu but logits is on cuda:0");
            assertThatThrownBy(() -> RlF.gae(cpu.reshape(2, 3), gpu.reshape(2, 3), cpu.reshape(2, 3), 1f, 1f))
                    .hasMessageContaining("values is on cuda:0 but rewards is on cpu");
        }
    }

    @Test
    void aSecondGradientForADeviceLeafIsAnErrorSayingWhy() {
        try (var s = Memory.scope()) {
            Tensor leaf = fake.tensor(3).requiresGrad(true);
            assertThatThrownBy(() -> Devices.leafGradient(leaf, fake.tensor(3), fake.tensor(3)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("second gradient reached the cuda:0 leaf")
                    .hasMessageContaining("needs an elementwise add kernel");
        }
    }

    @Test
    void movingToACudaDeviceWithoutCudaFailsWithTheProbesReason() {
        Assumptions.assumeFalse(CudaRuntime.isAvailable(), "CUDA is available here");
        Tensor t = Tensor.ones(DType.F32, 3);
        assertThatThrownBy(() -> t.to(FakeDevice.CUDA0))
                .hasMessageContaining("CUDA is unavailable")
                .hasMessageContaining(CudaRuntime.unavailableReason());
        assertThat(t.to(Device.CPU)).isSameAs(t);
    }
}
