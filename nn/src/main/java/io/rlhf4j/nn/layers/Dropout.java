package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import java.util.SplittableRandom;

/**
 * torch.nn.Dropout: in training, zeroes each element with probability p and scales the rest by
 * 1/(1−p); in evaluation (or with p = 0) the identity. Masks come from a generator seeded at
 * construction, so a run is reproducible.
 */
public final class Dropout extends Module {

    private final double p;
    private final SplittableRandom random;

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        float keep = (float) (1 / (1 - p));
        float[] mask = new float[Math.toIntExact(x.numel())];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < p ? 0 : keep;
        }
        return x.mul(Tensor.of(mask, x.shape()).to(x.dtype() == DType.F64 ? DType.F64 : DType.F32));
    }

    public double probability() {
        return p;
    }
}
