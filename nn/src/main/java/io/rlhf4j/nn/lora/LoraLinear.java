package io.rlhf4j.nn.lora;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.layers.Conv1D;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.layers.Projection;

/**
 * A Linear or Conv1D with a low-rank update (Hu et al. 2021; PEFT's lora.Linear):
 * y = base(x) + dropout(x)·Aᵀ·Bᵀ·scaling, A [r, in], B [out, r]. Children are named as in PEFT
 * ("base_layer", "lora_A", "lora_B", without the adapter name). A starts as PEFT's
 * init_lora_weights=True: kaiming_uniform(a=√5), i.e. U(−1/√in, 1/√in); B starts at zero, so the
 * wrapped layer first computes exactly what the base layer did.
 *
 * <p>Adapter weights are F32 whatever the base dtype (PEFT's autocast_adapter_dtype), F64 over an
 * F64 base (gradient checks).
 */
public final class LoraLinear extends Module implements Projection {

    private final Module base;
    private final Parameter baseWeight;
    private final boolean fanInFanOut;
    private final Linear loraA;
    private final Linear loraB;
    private final double scaling;
    private final double dropout;
    private final Generator dropoutGenerator;
    private boolean merged;

    /**
     * @param base             the Linear (weight [out, in]) or Conv1D (weight [in, out], fan_in_fan_out)
     * @param init             draws A
     * @param dropoutGenerator draws the dropout masks (unused when dropout is 0)
     */
    LoraLinear(Module base, int r, double scaling, double dropout, Generator init, Generator dropoutGenerator) {
        this.base = base;
        this.fanInFanOut = switch (base) {
            case Linear _ -> false;
            case Conv1D _ -> true;
            default -> throw new IllegalArgumentException("LoRA wraps Linear or Conv1D layers, not "
                    + base.getClass().getSimpleName());
        };
        this.baseWeight = base instanceof Linear l ? l.weight() : ((Conv1D) base).weight();
        int[] w = baseWeight.shape();
        int in = fanInFanOut ? w[0] : w[1];
        int out = fanInFanOut ? w[1] : w[0];
        DType dtype = baseWeight.dtype() == DType.F64 ? DType.F64 : DType.F32;
        this.scaling = scaling;
        this.dropout = dropout;
        this.dropoutGenerator = dropoutGenerator;
        registerModule("base_layer", base);
        double bound = 1 / Math.sqrt(in);
        loraA = registerModule("lora_A", new Linear(
                Parameter.copyOf(init.uniform(new int[] {r, in}, -bound, bound, dtype), dtype), null));
        loraB = registerModule("lora_B", new Linear(r, out, false, dtype));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = ((Projection) base).forward(x);
        if (merged) {
            return y;
        }
        Tensor h = x.dropout(dropout, dropoutGenerator, isTraining());
        return y.add(loraB.forward(loraA.forward(h)).mul(scaling));
    }

    /**
     * The update folded into the base weight: B·A·scaling [out, in], transposed to [in, out] for
     * fan_in_fan_out (PEFT's get_delta_weight), computed in the adapter dtype.
     */
    public Tensor deltaWeight() {
        try (var _ = Grad.disabled()) {
            Tensor delta = loraB.weight().tensor().matmul(loraA.weight().tensor()).mul(scaling);
            return fanInFanOut ? delta.mT().contiguous() : delta;
        }
    }

    /** W += ΔW: the base layer alone then computes the adapted output. A no-op when merged. */
    public void merge() {
        if (!merged) {
            addToBase(1);
            merged = true;
        }
    }

    /** W −= ΔW, undoing {@link #merge()} up to rounding. A no-op when not merged. */
    public void unmerge() {
        if (merged) {
            addToBase(-1);
            merged = false;
        }
    }

    private void addToBase(double sign) {
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            Tensor delta = deltaWeight();
            baseWeight.load(baseWeight.tensor().to(delta.dtype()).add(delta.mul(sign)));
        }
    }

    public boolean isMerged() {
        return merged;
    }

    /** The wrapped Linear or Conv1D. */
    public Module base() {
        return base;
    }

    /** A as a Linear(in → r): weight [r, in]. */
    public Linear loraA() {
        return loraA;
    }

    /** B as a Linear(r → out): weight [out, r]. */
    public Linear loraB() {
        return loraB;
    }

    /** The stream the dropout masks come from; a trainer checkpoints its state to resume exactly. */
    public Generator dropoutGenerator() {
        return dropoutGenerator;
    }

    public double scaling() {
        return scaling;
    }

    public boolean fanInFanOut() {
        return fanInFanOut;
    }
}
