package io.rlhf4j.trainers.device;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic loss scaling for FP16 training with torch.amp.GradScaler's semantics (torch/amp/
 * grad_scaler.py): the loss is multiplied by the scale before backward; before the optimizer
 * step every gradient is multiplied by 1/scale (computed in double, rounded to float as torch
 * does); if any gradient is inf or NaN the step is skipped and the scale multiplied by the backoff
 * factor, otherwise after {@code growthInterval} consecutive clean steps it is multiplied by the
 * growth factor. Defaults: scale 2^16, growth 2, backoff 0.5, interval 2000.
 */
public final class GradScaler {

    public static final double DEFAULT_INIT_SCALE = 65536.0;
    public static final double DEFAULT_GROWTH_FACTOR = 2.0;
    public static final double DEFAULT_BACKOFF_FACTOR = 0.5;
    public static final int DEFAULT_GROWTH_INTERVAL = 2000;

    private static final int MIN_CHUNK = 1 << 14;

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private double scale;
    private int growthTracker;

    public GradScaler() {
        this(DEFAULT_INIT_SCALE, DEFAULT_GROWTH_FACTOR, DEFAULT_BACKOFF_FACTOR, DEFAULT_GROWTH_INTERVAL);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1)
                || growthInterval < 1) {
            throw new IllegalArgumentException("GradScaler needs initScale > 0, growthFactor > 1, "
                    + "0 < backoffFactor < 1, growthInterval >= 1; got " + initScale + ", " + growthFactor + ", "
                    + backoffFactor + ", " + growthInterval);
        }
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    public double scale() {
        return scale;
    }

    /** The loss times the current scale; call backward on this. */
    public Tensor scale(Tensor loss) {
        return loss.mul(scale);
    }

    /**
     * Divides every gradient by the scale in place and reports whether any was inf or NaN (then
     * the gradients are garbage and the step must be skipped).
     */
    public boolean unscale(List<Tensor> params) {
        float inv = (float) (1.0 / scale);
        boolean foundInf = false;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                foundInf |= unscaleInPlace(g, inv);
            }
        }
        return foundInf;
    }

    /** After each step: back off on overflow, grow after growthInterval clean steps in a row. */
    public void update(boolean foundInf) {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
        } else if (++growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
    }

    /** torch's state_dict keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker. */
    public Map<String, Double> stateDict() {
        Map<String, Double> s = new HashMap<>();
        s.put("scale", scale);
        s.put("growth_factor", growthFactor);
        s.put("backoff_factor", backoffFactor);
        s.put("growth_interval", (double) growthInterval);
        s.put("_growth_tracker", (double) growthTracker);
        return s;
    }

    /** Restores scale and growth tracker (the factors are the constructor's). */
    public void loadStateDict(Map<String, Double> state) {
        Double s = state.get("scale");
        Double t = state.get("_growth_tracker");
        if (s == null || t == null) {
            throw new IllegalArgumentException("grad scaler state needs 'scale' and '_growth_tracker', got keys "
                    + state.keySet());
        }
        scale = s;
        growthTracker = t.intValue();
    }

    private static boolean unscaleInPlace(Tensor g, float inv) {
        if (!g.isContiguous() || (g.dtype() != DType.F32 && g.dtype() != DType.F64)) {
            throw new IllegalArgumentException("unscaling needs contiguous F32 or F64 gradients, got " + g);
        }
        int n = Math.toIntExact(g.numel());
        MemorySegment s = g.segment();
        long base = g.offset();
        boolean f32 = g.dtype() == DType.F32;
        int chunks = (n + MIN_CHUNK - 1) / MIN_CHUNK;
        boolean[] bad = new boolean[chunks];
        Parallel.forRange(chunks, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                boolean found = false;
                int end = Math.min(n, (c + 1) * MIN_CHUNK);
                for (int i = c * MIN_CHUNK; i < end; i++) {
                    if (f32) {
                        float v = s.getAtIndex(TypedAccess.F32, base + i);
                        found |= !Float.isFinite(v);
                        s.setAtIndex(TypedAccess.F32, base + i, v * inv);
                    } else {
                        double v = s.getAtIndex(TypedAccess.F64, base + i);
                        found |= !Double.isFinite(v);
                        s.setAtIndex(TypedAccess.F64, base + i, v * inv);
                    }
                }
                bad[c] = found;
            }
        });
        for (boolean b : bad) {
            if (b) {
                return true;
            }
        }
        return false;
    }
}
