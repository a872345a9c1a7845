package io.rlhf4j.engine.testing;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences in F64, like
 * torch.autograd.gradcheck: the scalar probed is Σ f(x)·w for fixed random weights w, so every
 * output element contributes with its own weight.
 */
public final class GradCheck {

    private static final double STEP = 1e-6;
    private static final double ABS_TOL = 1e-6;
    private static final double REL_TOL = 1e-5;

    private GradCheck() {
    }

    /** Random F64 leaf in [-1, 1) that requires grad. */
    public static Tensor randomInput(long seed, int... shape) {
        return randomInRange(seed, -1, 1, shape);
    }

    /** Random F64 leaf in [lo, hi) that requires grad. */
    public static Tensor randomInRange(long seed, double lo, double hi, int... shape) {
        Random r = new Random(seed);
        double[] v = new double[Math.toIntExact(io.rlhf4j.engine.Shapes.numel(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return Tensor.of(v, shape).requiresGrad(true);
    }

    /**
     * Asserts that the gradient of every F64 input that requires grad matches finite differences.
     * Inputs that do not require grad (ids, masks) are passed through unchanged.
     */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in.requiresGrad() && in.dtype() != DType.F64) {
                throw new IllegalArgumentException("gradient checks need F64 inputs, got " + in.dtype());
            }
            in.clearGrad();
        }
        Tensor out = f.apply(inputs);
        Tensor weights = weightsFor(out);
        out.mul(weights).sum().backward();
        for (int idx = 0; idx < inputs.length; idx++) {
            Tensor in = inputs[idx];
            if (!in.requiresGrad()) {
                continue;
            }
            if (in.grad() == null) {
                throw new AssertionError("input " + idx + " received no gradient");
            }
            double[] analytic = in.grad().toDoubleArray();
            int[] shape = in.shape();
            for (int flat = 0; flat < analytic.length; flat++) {
                int[] index = unravel(flat, shape);
                double original = in.get(index);
                double plus;
                double minus;
                try (var g = Grad.disabled()) {
                    in.set(original + STEP, index);
                    plus = f.apply(inputs).mul(weights).sum().item();
                    in.set(original - STEP, index);
                    minus = f.apply(inputs).mul(weights).sum().item();
                } finally {
                    in.set(original, index);
                }
                double numeric = (plus - minus) / (2 * STEP);
                if (!(Math.abs(analytic[flat] - numeric) <= ABS_TOL + REL_TOL * Math.abs(numeric))) {
                    throw new AssertionError("gradient mismatch for input " + idx + " at " + Arrays.toString(index)
                            + ": autograd " + analytic[flat] + ", finite differences " + numeric);
                }
            }
        }
    }

    private static Tensor weightsFor(Tensor out) {
        Random r = new Random(1234);
        double[] w = new double[Math.toIntExact(out.numel())];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5 + r.nextDouble();
        }
        return Tensor.of(w, out.shape()).to(out.dtype());
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
