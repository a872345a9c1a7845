package io.rlhf4j.nn.models;

import io.rlhf4j.engine.ops.fused.RotaryTables;

/**
 * The rope_scaling / rope_parameters variants supported, as Hugging Face computes them in
 * modeling_rope_utils.py. Each returns new inverse frequencies from the default ones, in F32 with
 * torch's operation order (so the tables match bit for bit).
 */
public final class RopeScaling {

    private RopeScaling() {
    }

    /** rope_type "linear" (_compute_linear_scaling_rope_parameters): inv_freq / factor, i.e. positions / factor. */
    public static RotaryTables.Scaling linear(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("linear rope scaling factor must be positive, got " + factor);
        }
        float f = (float) factor;
        return defaults -> {
            float[] out = new float[defaults.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = defaults[i] / f;
            }
            return out;
        };
    }

    /**
     * rope_type "llama3" (_compute_llama3_parameters, Llama 3.1): with wavelen = 2π / inv_freq,
     * wavelengths shorter than original/high_freq_factor keep their frequency, longer than
     * original/low_freq_factor are divided by factor, and those between are interpolated with
     * smooth = (original / wavelen − low) / (high − low):
     * inv = (1 − smooth) · inv / factor + smooth · inv.
     *
     * <p>torch evaluates {@code scalar / tensor} as {@code tensor.reciprocal() * scalar}
     * (Tensor.__rdiv__), and scalars enter F32 arithmetic rounded to F32; this mirrors that.
     */
    public static RotaryTables.Scaling llama3(double factor, double lowFreqFactor, double highFreqFactor,
            double originalMaxPositions) {
        if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || !(originalMaxPositions > 0)) {
            throw new IllegalArgumentException("llama3 rope scaling needs factor > 0, 0 < low_freq_factor < "
                    + "high_freq_factor and original_max_position_embeddings > 0; got factor " + factor
                    + ", low_freq_factor " + lowFreqFactor + ", high_freq_factor " + highFreqFactor
                    + ", original_max_position_embeddings " + originalMaxPositions);
        }
        float f = (float) factor;
        float low = (float) lowFreqFactor;
        float lowWavelen = (float) (originalMaxPositions / lowFreqFactor);
        float highWavelen = (float) (originalMaxPositions / highFreqFactor);
        float twoPi = (float) (2 * Math.PI);
        float original = (float) originalMaxPositions;
        float span = (float) (highFreqFactor - lowFreqFactor);
        return defaults -> {
            float[] out = new float[defaults.length];
            for (int i = 0; i < out.length; i++) {
                float inv = defaults[i];
                float wavelen = 1f / inv * twoPi;
                float scaled = wavelen > lowWavelen ? inv / f : inv;
                float smooth = (1f / wavelen * original - low) / span;
                float smoothed = (1f - smooth) * scaled / f + smooth * scaled;
                boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
                out[i] = medium ? smoothed : scaled;
            }
            return out;
        };
    }
}
