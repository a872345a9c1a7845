package io.rlhf4j.trainers.grpo;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import java.util.Arrays;

/**
 * GRPO's per-token loss and its aggregation as one fused op with its own backward, the lines of
 * trl 1.13 trl/trainer/grpo_trainer.py, GRPOTrainer._compute_loss (importance_sampling_level
 * "token", no delta, no vLLM correction):
 * <pre>
 *   ρ      = exp(logp − old)
 *   ℓ      = −min(ρ·A, clamp(ρ, 1 − ε_low, 1 + ε_high)·A) + β·(exp(ref − logp) − (ref − logp) − 1)
 *   loss   = Σ_bt w_bt·ℓ_bt
 * </pre>
 * with the aggregation weights w of {@link #weights} (the completion mask divided by each
 * loss_type's normaliser). The gradient with respect to logp is w·(−A·ρ where the unclipped term
 * is the minimum or ρ lies inside the clip range, else 0) + w·β·(1 − exp(ref − logp)); at a tie
 * torch splits the gradient of min evenly between two terms with equal derivative, which gives
 * the same. Computed on the host in F64 (per-token tensors are small next to the model), so the
 * result is independent of the device and of any thread count.
 */
public final class GRPOLoss {

    /** The clip range and KL coefficient. */
    public record Params(double epsilonLow, double epsilonHigh, double beta) {
    }

    /**
     * What TRL logs from a micro-batch, as masked sums (so a window's metric is Σ sums / Σ tokens).
     *
     * @param tokens    completion tokens (mask sum)
     * @param klSum     Σ mask·k3 (0 when β = 0)
     * @param lowClip   Σ mask·[ρ &lt; 1 − ε_low and A &lt; 0]
     * @param highClip  Σ mask·[ρ &gt; 1 + ε_high and A &gt; 0]
     */
    public record Stats(double tokens, double klSum, double lowClip, double highClip) {
    }

    /** The loss (rank 0, the dtype of logp) and its statistics. */
    public record Result(Tensor loss, Stats stats) {
    }

    private GRPOLoss() {
    }

    /**
     * @param logp    [B, T] the policy's per-token log-probabilities (differentiable)
     * @param oldLogp [B, T] at generation time, or null for logp itself (detached: ρ = 1)
     * @param refLogp [B, T] of the reference model, or null when β = 0
     * @param adv     [B] one advantage per completion
     * @param mask    [B, T] 1 on completion tokens (for the statistics)
     * @param weights [B, T] aggregation weights ({@link #weights})
     */
    public static Result apply(Tensor logp, Tensor oldLogp, Tensor refLogp, Tensor adv, Tensor mask, Tensor weights,
            Params p) {
        int[] shape = logp.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("logp must be [B, T], got " + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        check("oldLogp", oldLogp, shape);
        check("mask", mask, shape);
        check("weights", weights, shape);
        if (p.beta() != 0) {
            if (refLogp == null) {
                throw new IllegalArgumentException("refLogp is null but beta = " + p.beta() + " needs it");
            }
            check("refLogp", refLogp, shape);
        }
        if (adv.numel() != rows) {
            throw new IllegalArgumentException("adv must have one entry per row (" + rows + "), got "
                    + Arrays.toString(adv.shape()));
        }
        double[] x = logp.toDoubleArray();
        double[] old = oldLogp == null ? x : oldLogp.toDoubleArray();
        double[] ref = p.beta() != 0 ? refLogp.toDoubleArray() : null;
        double[] a = adv.toDoubleArray();
        double[] m = mask.toDoubleArray();
        double[] w = weights.toDoubleArray();
        double[] dx = new double[x.length];
        double loss = 0;
        double tokens = 0;
        double kl = 0;
        double low = 0;
        double high = 0;
        double lo = 1 - p.epsilonLow();
        double hi = 1 + p.epsilonHigh();
        for (int b = 0; b < rows; b++) {
            double ab = a[b];
            for (int t = 0; t < cols; t++) {
                int i = b * cols + t;
                if (w[i] == 0 && m[i] == 0) {
                    continue;
                }
                double rho = Math.exp(x[i] - old[i]);
                double clipped = Math.min(Math.max(rho, lo), hi);
                double unclippedTerm = rho * ab;
                double clippedTerm = clipped * ab;
                double l = -Math.min(unclippedTerm, clippedTerm);
                double d = unclippedTerm <= clippedTerm || (rho >= lo && rho <= hi) ? -ab * rho : 0;
                double k3 = 0;
                if (ref != null) {
                    double diff = ref[i] - x[i];
                    double e = Math.exp(diff);
                    k3 = e - diff - 1;
                    l += p.beta() * k3;
                    d += p.beta() * (1 - e);
                }
                loss += w[i] * l;
                dx[i] = w[i] * d;
                tokens += m[i];
                kl += m[i] * k3;
                low += m[i] * (rho < lo && ab < 0 ? 1 : 0);
                high += m[i] * (rho > hi && ab > 0 ? 1 : 0);
            }
        }
        DType dtype = logp.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor out = Autograd.record(Tensor.full(loss, dtype).to(logp.device()), "grpo_loss",
            g -> new Tensor[] {Tensor.of(dx, rows, cols).mul(hostValue(g)).to(logp.dtype()).to(logp.device()),
                null, null, null, null, null},
            logp, oldLogp, refLogp, adv, mask, weights);
        return new Result(out, new Stats(tokens, kl, low, high));
    }

    /**
     * The aggregation weights of trl 1.13 GRPOTrainer._compute_loss for one micro-batch of a window
     * of {@code microBatches} (transformers' current_gradient_accumulation_steps) whose completion
     * tokens number {@code windowTokens}:
     * <pre>
     *   grpo     w = m / (max(Σ_t m_b, 1) · B · n)      mean over sequences of the per-sequence mean
     *   bnpo     w = m / (max(Σ m, 1) · n)              mean over the micro-batch's tokens
     *   dr_grpo  w = m / (B · max_completion_length · n)
     *   dapo     w = m / max(window tokens, 1)          num_items_in_batch with steps_per_generation
     *                                                    = gradient_accumulation_steps
     * </pre>
     */
    public static Tensor weights(String lossType, Tensor mask, int microBatches, double windowTokens,
            int maxCompletionLength) {
        int rows = mask.shape(0);
        int cols = mask.shape(1);
        double[] m = mask.toDoubleArray();
        double[] w = new double[m.length];
        double total = 0;
        for (double v : m) {
            total += v;
        }
        for (int b = 0; b < rows; b++) {
            double len = 0;
            for (int t = 0; t < cols; t++) {
                len += m[b * cols + t];
            }
            double denominator = switch (lossType) {
                case "grpo" -> Math.max(len, 1) * rows * microBatches;
                case "bnpo" -> Math.max(total, 1) * microBatches;
                case "dr_grpo" -> (double) rows * maxCompletionLength * microBatches;
                case "dapo" -> Math.max(windowTokens, 1);
                default -> throw new IllegalArgumentException("loss_type must be one of grpo, bnpo, dr_grpo, dapo, got '"
                        + lossType + "'");
            };
            for (int t = 0; t < cols; t++) {
                w[b * cols + t] = m[b * cols + t] / denominator;
            }
        }
        return Tensor.of(w, rows, cols);
    }

    private static double hostValue(Tensor g) {
        return g.device().kind() == Device.Kind.CPU ? g.item() : g.to(Device.CPU).item();
    }

    private static void check(String name, Tensor t, int[] shape) {
        if (t != null && !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + " must have logp's shape " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(t.shape()));
        }
    }
}
