package io.rlhf4j.engine.ops.fused;

import io.rlhf4j.engine.Tensor;
import java.util.Arrays;

/**
 * The cos/sin tables of rotary embeddings for given position ids, as Hugging Face's default
 * rotary embedding computes them (LlamaRotaryEmbedding, rope_type "default"), in F32:
 *
 * <pre>
 *   inv_freq[i] = 1 / theta^(2i / D)            i = 0 … D/2 − 1
 *   freqs[t, i] = position[t] · inv_freq[i]
 *   cos = cos(cat(freqs, freqs)) · attention_scaling,  sin likewise
 * </pre>
 *
 * Scaled variants (linear, dynamic NTK, llama3, YaRN) change inv_freq and attention_scaling;
 * they plug in through {@link Scaling}.
 */
public final class RotaryTables {

    /** cos and sin, each [B or 1, T, D] F32. */
    public record CosSin(Tensor cos, Tensor sin) {
    }

    /** How a rope_scaling variant adjusts the default inverse frequencies. */
    public interface Scaling {

        /** The default rotary embedding: no change. */
        Scaling NONE = defaults -> defaults;

        /** The inverse frequencies to use, given the default ones (not modified in place). */
        float[] inverseFrequencies(float[] defaults);

        /** The factor cos and sin are multiplied by (YaRN's mscale; 1 otherwise). */
        default double attentionScaling() {
            return 1;
        }
    }

    private RotaryTables() {
    }

    /**
     * inv_freq[i] = 1 / theta^(2i/D) with torch's F32 arithmetic: the exponent 2i/D is an F32
     * division, the power and reciprocal are rounded to F32.
     */
    public static float[] defaultInverseFrequencies(int headDim, double theta) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head dimension must be positive and even, got " + headDim);
        }
        if (!(theta > 0)) {
            throw new IllegalArgumentException("rope theta must be positive, got " + theta);
        }
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            inv[i] = 1f / (float) Math.pow((float) theta, exponent);
        }
        return inv;
    }

    /** Tables for position ids [T] or [B, T] (I64 or I32); the result has shape [1 or B, T, headDim]. */
    public static CosSin cosSin(Tensor positions, int headDim, double theta, Scaling scaling) {
        float[] inv = scaling.inverseFrequencies(defaultInverseFrequencies(headDim, theta));
        if (inv.length != headDim / 2) {
            throw new IllegalArgumentException("rope scaling returned " + inv.length + " inverse frequencies for head dim "
                    + headDim + " (expected " + headDim / 2 + ")");
        }
        if (positions.dtype().isFloatingPoint() || positions.rank() < 1 || positions.rank() > 2) {
            throw new IllegalArgumentException("position ids must be an integer tensor [T] or [B, T], got "
                    + positions.dtype() + Arrays.toString(positions.shape()));
        }
        int batch = positions.rank() == 2 ? positions.shape(0) : 1;
        int seq = positions.shape(-1);
        long[] pos = positions.toLongArray();
        float attention = (float) scaling.attentionScaling();
        float[] cos = new float[batch * seq * headDim];
        float[] sin = new float[cos.length];
        int half = headDim / 2;
        for (int p = 0; p < pos.length; p++) {
            float position = (float) pos[p];
            int base = p * headDim;
            for (int i = 0; i < half; i++) {
                float angle = position * inv[i];
                float c = (float) Math.cos(angle) * attention;
                float s = (float) Math.sin(angle) * attention;
                cos[base + i] = c;
                cos[base + half + i] = c;
                sin[base + i] = s;
                sin[base + half + i] = s;
            }
        }
        return new CosSin(Tensor.of(cos, batch, seq, headDim), Tensor.of(sin, batch, seq, headDim));
    }
}
