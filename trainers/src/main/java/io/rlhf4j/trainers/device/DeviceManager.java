package io.rlhf4j.trainers.device;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.GradClip;
import io.rlhf4j.engine.optim.LrScheduler;
import io.rlhf4j.engine.optim.Optimizer;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.config.ConfigException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The device and precision of a run, and the one update sequence every trainer applies:
 * unscale (FP16) → clip → step → scheduler → zero grads ({@link #clipAndStep}).
 *
 * <p>Precision follows the config's bf16/fp16 flags. An explicit request the engine cannot honour
 * on the device is an error, not a silent fallback, because it changes numerics and speed the user
 * asked for; TRL's default (bf16 unset) means "BF16 where available", so unset falls back to FP32
 * with a note. The engine has no autocast yet on any device, so today only FP32 resolves.
 */
public final class DeviceManager {

    private final Device device;
    private final Precision precision;
    private final GradScaler scaler;

    /** A manager for a precision the caller knows the backend handles; FP16 gets a default GradScaler. */
    public DeviceManager(Device device, Precision precision) {
        this(device, precision, precision == Precision.FP16 ? new GradScaler() : null);
    }

    public DeviceManager(Device device, Precision precision, GradScaler scaler) {
        if ((precision == Precision.FP16) != (scaler != null)) {
            throw new IllegalArgumentException("a GradScaler is used with FP16 and only FP16, got " + precision
                    + (scaler == null ? " without" : " with") + " a scaler");
        }
        this.device = device;
        this.precision = precision;
        this.scaler = scaler;
    }

    /** Resolves {@link Device#auto()} and the config's precision; {@code notes} receives fallbacks. */
    public static DeviceManager create(BaseConfig config, Consumer<String> notes) {
        return create(config, Device.auto(), notes);
    }

    public static DeviceManager create(BaseConfig config, Device device, Consumer<String> notes) {
        Set<Precision> supported = autocastSupport(device);
        if (config.fp16) {
            require(Precision.FP16, "fp16", device, supported);
            return new DeviceManager(device, Precision.FP16);
        }
        if (Boolean.TRUE.equals(config.bf16)) {
            require(Precision.BF16, "bf16", device, supported);
            return new DeviceManager(device, Precision.BF16);
        }
        if (config.bf16 == null) {
            if (supported.contains(Precision.BF16)) {
                return new DeviceManager(device, Precision.BF16);
            }
            notes.accept("bf16 not set: training in FP32 on " + device + " (BF16 autocast is not available there)");
        }
        return new DeviceManager(device, Precision.FP32);
    }

    /**
     * The precisions the engine can autocast to on {@code device}. Autocast is not implemented in
     * the engine yet (it arrives with the CUDA backend), so this is FP32 everywhere for now.
     */
    public static Set<Precision> autocastSupport(Device device) {
        return EnumSet.of(Precision.FP32);
    }

    private static void require(Precision p, String key, Device device, Set<Precision> supported) {
        if (!supported.contains(p)) {
            throw new ConfigException(key + ": true asks for " + p + " autocast, which the engine does not implement on "
                    + device + " yet; set " + key + ": false to train in FP32");
        }
    }

    public Device device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    public Optional<GradScaler> scaler() {
        return Optional.ofNullable(scaler);
    }

    /** The tensor to call backward on: the loss times the FP16 loss scale, or the loss itself. */
    public Tensor scaleLoss(Tensor loss) {
        return scaler == null ? loss : scaler.scale(loss);
    }

    /**
     * Ends an accumulation window: unscales the gradients (FP16), clips their global norm to
     * {@code maxGradNorm} (0 skips clipping but still measures the norm), steps the optimizer and
     * then the scheduler, and zeroes the gradients.
     *
     * <p>The update is skipped when the gradients overflowed (FP16) or their norm is not finite in
     * any precision, and then the scheduler does not advance either, as transformers' Trainer does
     * for a step the scaler skipped. Skipping on a non-finite norm outside FP16 is stricter than
     * torch (which would write NaN into every parameter) and keeps a run recoverable.
     *
     * @param scheduler may be null
     */
    public StepResult clipAndStep(Optimizer optimizer, LrScheduler scheduler, List<Tensor> params, double maxGradNorm) {
        boolean overflow = scaler != null && scaler.unscale(params);
        double norm = Double.NaN;
        if (!overflow) {
            norm = maxGradNorm > 0 ? GradClip.clipGradNorm(params, maxGradNorm) : GradClip.totalNorm(params);
        }
        boolean step = !overflow && Double.isFinite(norm);
        double lr = optimizer.lr();
        if (step) {
            optimizer.step();
            if (scheduler != null) {
                scheduler.step();
            }
        }
        if (scaler != null) {
            scaler.update(overflow);
        }
        optimizer.zeroGrad();
        return new StepResult(norm, step, lr, scaler == null ? 1.0 : scaler.scale());
    }
}
