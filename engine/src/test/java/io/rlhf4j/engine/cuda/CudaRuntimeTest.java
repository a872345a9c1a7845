package io.rlhf4j.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CudaRuntimeTest {

    @Test
    void probeAnswersWithoutThrowingAndAgreesWithDeviceAuto() {
        CudaRuntime.Status s = CudaRuntime.status();
        assertThat(CudaRuntime.status()).isSameAs(s);
        if (s.available()) {
            assertThat(s.reason()).isEmpty();
            assertThat(s.devices()).isNotEmpty();
            assertThat(s.devices().getFirst().computeMajor()).isGreaterThanOrEqualTo(1);
            assertThat(Device.auto()).isEqualTo(new Device(Device.Kind.CUDA, 0));
            assertThat(Device.cuda(0).toString()).isEqualTo("cuda:0");
        } else {
            assertThat(s.reason()).isNotBlank().doesNotContain("\n");
            assertThat(s.devices()).isEmpty();
            assertThat(Device.auto()).isEqualTo(Device.CPU);
            assertThatThrownBy(() -> Device.cuda(0)).hasMessageContaining("CUDA is unavailable: " + s.reason());
        }
    }

    @Test
    void withoutAnNvidiaDeviceNodeTheProbeSaysUnavailable() {
        if (!Files.exists(Path.of("/dev/nvidiactl"))) {
            assertThat(CudaRuntime.isAvailable()).isFalse();
            assertThat(CudaRuntime.unavailableReason()).isNotBlank();
        }
    }

    @Test
    void oneLineKeepsTheRootCauseFirstLine() {
        Throwable e = new RuntimeException("outer", new UnsatisfiedLinkError("Error while loading native library\nmore\nlines"));
        assertThat(CudaRuntime.oneLine(e)).isEqualTo("UnsatisfiedLinkError: Error while loading native library");
        Throwable jcuda = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open "
                + "shared object file: No such file or directory\n");
        assertThat(CudaRuntime.oneLine(jcuda))
                .isEqualTo("libcuda.so.1: cannot open shared object file (no NVIDIA driver installed?)");
    }
}
