package io.rlhf4j.trainers.kto;

import io.rlhf4j.trainers.config.KTOConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KTO's reference point z0 during training, from the batch KL estimates ({@link KTOLoss#batchKl}).
 * <ul>
 *   <li>Per batch (default, TRL 1.13): z0 = max(KL_batch, 0).</li>
 *   <li>EMA (kl_ema_decay = d, the specification's "running EMA of the reference KL with a warmup
 *       buffer"): the first max(kl_warmup_steps, 1) training batches fill a buffer and z0 is the mean
 *       of the estimates so far; then the EMA starts from the buffer mean m and follows
 *       m ← d·m + (1 − d)·KL_batch, z0 = max(m, 0). The state is checkpointed
 *       ({@link #state()}) so a resumed run continues bitwise.</li>
 * </ul>
 * Evaluation batches use their own estimate (max(KL_batch, 0)) and leave the state alone.
 */
public final class KLReference {

    private final Double decay;
    private final int warmup;
    private double bufferSum;
    private long seen;
    private double ema;

    /**
     * @param decay  the EMA decay, or null for TRL's per-batch estimate
     * @param warmup batches in the warmup buffer (0 acts as 1)
     */
    public KLReference(Double decay, int warmup) {
        if (decay != null && !(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("kl_ema_decay must be in [0, 1), got " + decay);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("kl_warmup_steps must be >= 0, got " + warmup);
        }
        this.decay = decay;
        this.warmup = Math.max(warmup, 1);
    }

    public static KLReference of(KTOConfig config) {
        return new KLReference(config.klEmaDecay, config.klWarmupSteps);
    }

    /** Whether z0 is the EMA rather than the batch's own estimate. */
    public boolean averaged() {
        return decay != null;
    }

    /** Records a training batch's estimate and returns the z0 its loss uses. */
    public double update(double batchKl) {
        if (decay == null) {
            return Math.max(batchKl, 0);
        }
        seen++;
        if (seen <= warmup) {
            bufferSum += batchKl;
            ema = bufferSum / seen;
        } else {
            ema = decay * ema + (1 - decay) * batchKl;
        }
        return Math.max(ema, 0);
    }

    /** The state a checkpoint carries (empty without the EMA). */
    public Map<String, Double> state() {
        if (decay == null) {
            return Map.of();
        }
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("kl_buffer_sum", bufferSum);
        s.put("kl_batches_seen", (double) seen);
        s.put("kl_ema", ema);
        return s;
    }

    /** Restores {@link #state()}; an empty map (a checkpoint without the EMA) starts it over. */
    public void load(Map<String, Double> state) {
        bufferSum = state.getOrDefault("kl_buffer_sum", 0.0);
        seen = state.getOrDefault("kl_batches_seen", 0.0).longValue();
        ema = state.getOrDefault("kl_ema", 0.0);
    }
}
