package io.rlhf4j.trainers.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.LrScheduler;
import io.rlhf4j.engine.optim.SGD;
import io.rlhf4j.engine.optim.Schedule;
import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.SFTConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceManagerTest {

    @Test
    void unsetBf16FallsBackToFp32WithANote() {
        List<String> notes = new ArrayList<>();
        DeviceManager dm = DeviceManager.create(new SFTConfig(), Device.CPU, notes::add);
        assertThat(dm.precision()).isEqualTo(Precision.FP32);
        assertThat(dm.device()).isEqualTo(Device.CPU);
        assertThat(dm.scaler()).isEmpty();
        assertThat(notes).containsExactly("bf16 not set: training in FP32 on cpu (BF16 autocast is not available there)");
    }

    @Test
    void explicitPrecisionTheDeviceLacksIsAnError() {
        SFTConfig bf16 = new SFTConfig();
        bf16.bf16 = true;
        assertThatThrownBy(() -> DeviceManager.create(bf16, Device.CPU, n -> { }))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bf16: true asks for BF16 autocast, which the engine does not implement on cpu yet; "
                        + "set bf16: false to train in FP32");
        SFTConfig fp16 = new SFTConfig();
        fp16.fp16 = true;
        assertThatThrownBy(() -> DeviceManager.create(fp16, Device.CPU, n -> { }))
                .hasMessageStartingWith("fp16: true asks for FP16 autocast");
        SFTConfig fp32 = new SFTConfig();
        fp32.bf16 = false;
        List<String> notes = new ArrayList<>();
        assertThat(DeviceManager.create(fp32, Device.CPU, notes::add).precision()).isEqualTo(Precision.FP32);
        assertThat(notes).isEmpty();
    }

    @Test
    void clipAndStepClipsStepsSchedulesAndZeroes() {
        Tensor p = Tensor.of(new float[] {1, 1}, 2).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), 0.5);
        LrScheduler sched = new LrScheduler(sgd, Schedule.linearWithWarmup(0, 4));
        p.setGrad(Tensor.of(new float[] {3, 4}, 2));
        DeviceManager dm = new DeviceManager(Device.CPU, Precision.FP32);
        StepResult r = dm.clipAndStep(sgd, sched, List.of(p), 1.0);
        assertThat(r.gradNorm()).isEqualTo(5.0);
        assertThat(r.stepped()).isTrue();
        assertThat(r.learningRate()).isEqualTo(0.5);
        assertThat(r.lossScale()).isEqualTo(1.0);
        // clip coefficient 1 / (5 + 1e-6) in float, as torch: grad (3, 4) * coef, p -= 0.5 * grad
        float coef = (float) (1.0 / (5.0 + 1e-6));
        assertThat(p.toFloatArray()).containsExactly(1 - 0.5f * (3 * coef), 1 - 0.5f * (4 * coef));
        assertThat(sched.currentStep()).isEqualTo(1);
        assertThat(sgd.lr()).isEqualTo(0.5 * 3 / 4);
        assertThat(p.grad().toFloatArray()).containsExactly(0f, 0f);
    }

    @Test
    void nonFiniteNormSkipsTheStepAndTheScheduler() {
        Tensor p = Tensor.of(new float[] {1, 1}, 2).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), 0.5);
        LrScheduler sched = new LrScheduler(sgd, Schedule.constant());
        p.setGrad(Tensor.of(new float[] {Float.NaN, 4}, 2));
        StepResult r = new DeviceManager(Device.CPU, Precision.FP32).clipAndStep(sgd, sched, List.of(p), 0);
        assertThat(r.stepped()).isFalse();
        assertThat(p.toFloatArray()).containsExactly(1f, 1f);
        assertThat(sched.currentStep()).isZero();
    }

    @Test
    void scaleLossOnlyUnderFp16() {
        Tensor loss = Tensor.scalar(2.0);
        assertThat(new DeviceManager(Device.CPU, Precision.FP32).scaleLoss(loss).item()).isEqualTo(2.0);
        assertThat(new DeviceManager(Device.CPU, Precision.FP16).scaleLoss(loss).item()).isEqualTo(131072.0);
        assertThatThrownBy(() -> new DeviceManager(Device.CPU, Precision.BF16, new GradScaler()))
                .hasMessageContaining("FP16 and only FP16");
    }
}
