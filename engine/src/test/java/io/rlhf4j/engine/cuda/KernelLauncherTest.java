package io.rlhf4j.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelLauncherTest {

    /** Records launches; can be told to fail like the driver does. */
    private static final class FakeTarget implements KernelLauncher.Target {
        final List<String> launches = new ArrayList<>();
        RuntimeException failLaunch;
        RuntimeException failSync;
        int syncs;

        @Override
        public void launch(KernelSignature kernel, LaunchShape shape, Object[] args) {
            if (failLaunch != null) {
                throw failLaunch;
            }
            launches.add(kernel.name() + " " + shape);
        }

        @Override
        public void synchronize() {
            syncs++;
            if (failSync != null) {
                throw failSync;
            }
        }
    }

    private final DeviceAllocator alloc = new DeviceAllocator("fake:0", new FakeDeviceMemory(1L << 30));
    private final DeviceBuffer buf = alloc.allocate(DType.F32, 64);

    @Test
    void validLaunchReachesTheTarget() {
        FakeTarget t = new FakeTarget();
        new KernelLauncher(t, false).launch(RlKernelCatalog.KL_FWD, LaunchShape.of(4, 256), buf, buf, buf, null, buf, 64, 3);
        assertThat(t.launches).containsExactly("rl_kl_fwd_f32 grid 4 × block 256");
        assertThat(t.syncs).isZero();
    }

    @Test
    void argumentCountAndTypesAreChecked() {
        KernelLauncher l = new KernelLauncher(new FakeTarget(), false);
        LaunchShape s = LaunchShape.of(1, 256);
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, s, buf, buf, buf))
                .isInstanceOf(KernelLaunchException.class)
                .hasMessageContaining("reduce.ptx:rl_masked_sum_partials_f32 [grid 1 × block 256]")
                .hasMessageContaining("expects 4 arguments");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, s, buf, buf, buf, 3L))
                .hasMessageContaining("argument 3 must be I32, got Long");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.GAE, LaunchShape.of(1, 32), buf, buf, buf, buf, buf, 1, 1, 0.9, 0.95f))
                .hasMessageContaining("argument 7 must be F32, got Double");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, s, buf, null, buf, 64))
                .hasMessageContaining("argument 1 must be PTR, got null");
        DeviceBuffer gone = alloc.allocate(DType.F32, 4);
        gone.close();
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, s, buf, gone, buf, 64))
                .hasMessageContaining("argument 1 is a released device buffer");
    }

    @Test
    void launchShapesAreChecked() {
        KernelLauncher l = new KernelLauncher(new FakeTarget(), false);
        Object[] gaeArgs = {buf, buf, buf, buf, buf, 1, 1, 0.9f, 0.95f};
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.GAE, LaunchShape.of(1, 64), gaeArgs))
                .hasMessageContaining("block must be exactly 32");
        Object[] finalizeArgs = {buf, 4, buf};
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.FINALIZE_MASKED_MEAN, LaunchShape.of(2, 256), finalizeArgs))
                .hasMessageContaining("exactly one block");
        Object[] sumArgs = {buf, buf, buf, 64};
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, LaunchShape.of(1, 100), sumArgs))
                .hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, LaunchShape.of(1, 2048), sumArgs))
                .hasMessageContaining("multiple of 32 in [32, 1024]");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, LaunchShape.of(0, 256), sumArgs))
                .hasMessageContaining("grid must be at least 1");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, new LaunchShape(1, 256, 64 * 1024), sumArgs))
                .hasMessageContaining("dynamic shared memory");
    }

    @Test
    void driverErrorsNameTheKernelAndShape() {
        FakeTarget t = new FakeTarget();
        t.failLaunch = new jcuda.CudaException("CUDA_ERROR_INVALID_VALUE");
        KernelLauncher l = new KernelLauncher(t, false);
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_MEAN_BWD, LaunchShape.of(3, 128), buf, buf, buf, buf, 64))
                .isInstanceOf(KernelLaunchException.class)
                .hasMessage("reduce.ptx:rl_masked_mean_bwd_f32 [grid 3 × block 128]: CudaException: CUDA_ERROR_INVALID_VALUE");
    }

    @Test
    void checkEachLaunchSynchronisesAndNamesAFailingKernel() {
        FakeTarget t = new FakeTarget();
        KernelLauncher l = new KernelLauncher(t, true);
        l.launch(RlKernelCatalog.MASKED_MEAN_BWD, LaunchShape.of(1, 256), buf, buf, buf, buf, 64);
        assertThat(t.syncs).isEqualTo(1);
        t.failSync = new jcuda.CudaException("CUDA_ERROR_ILLEGAL_ADDRESS");
        assertThatThrownBy(() -> l.launch(RlKernelCatalog.MASKED_MEAN_BWD, LaunchShape.of(1, 256), buf, buf, buf, buf, 64))
                .hasMessageContaining("rl_masked_mean_bwd_f32")
                .hasMessageContaining("CUDA_ERROR_ILLEGAL_ADDRESS");
    }

    @Test
    void coveringShapeCapsTheGrid() {
        assertThat(LaunchShape.covering(0, 256, 1024)).isEqualTo(LaunchShape.of(1, 256));
        assertThat(LaunchShape.covering(257, 256, 1024)).isEqualTo(LaunchShape.of(2, 256));
        assertThat(LaunchShape.covering(10_000_000, 256, 1024)).isEqualTo(LaunchShape.of(1024, 256));
    }
}
