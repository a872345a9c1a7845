package io.rlhf4j.nn.layers;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;

/**
 * torch.nn.Linear: weight [out, in] (as stored by Hugging Face), optional bias [out];
 * y = x·Wᵀ + b. The transpose is a view that the GEMM reads as a transpose flag.
 *
 * <p>{@link #prepareForInference} may give it a BF16 copy of the weight: products of at most
 * {@value #INFERENCE_ROWS} rows run with gradients off (a decode step) then read that copy, half
 * the bytes of the F32 weight, at the cost of rounding W to BF16. The copy is a snapshot: prepare
 * again after the weight changes.
 */
public final class Linear extends Module implements Projection {

    private final Parameter weight;
    private final Parameter bias;
    /** A BF16 snapshot of the weight for few-row no-grad products, or null. */
    private Tensor inferenceWeight;

    /** Most rows of x a product may have to use the BF16 inference weight. */
    public static final int INFERENCE_ROWS = 8;

    public Linear(int in, int out, boolean bias, DType dtype) {
        this(Parameter.zeros(dtype, out, in), bias ? Parameter.zeros(dtype, out) : null);
    }

    /** A linear layer over an existing weight, e.g. an lm_head tied to the token embedding. */
    public Linear(Parameter weight, Parameter bias) {
        this.weight = registerParameter("weight", weight);
        this.bias = bias == null ? null : registerParameter("bias", bias);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = useInferenceWeight(x) ? F.linearBf16(x, inferenceWeight) : F.linear(x, weight.tensor());
        return bias == null ? y : y.add(bias.tensor());
    }

    private boolean useInferenceWeight(Tensor x) {
        return inferenceWeight != null && !Grad.isEnabled() && x.dtype() == DType.F32
                && x.numel() <= (long) INFERENCE_ROWS * inFeatures();
    }

    /**
     * {@code dtype} BF16: takes a BF16 snapshot of the weight for few-row no-grad products
     * (an F32 weight only; GC-managed memory, so not inside a {@link Memory#scope()}); F32:
     * drops it, so every product reads the weight itself.
     */
    public void prepareForInference(DType dtype) {
        if (dtype == DType.F32) {
            inferenceWeight = null;
        } else if (dtype == DType.BF16 && weight.tensor().dtype() == DType.F32) {
            if (Memory.current() != null) {
                throw new IllegalStateException("prepareForInference must run outside a Memory scope");
            }
            try (var _ = Grad.disabled()) {
                inferenceWeight = weight.tensor().detach().to(DType.BF16);
            }
        } else if (dtype != DType.BF16) {
            throw new IllegalArgumentException("inference weight dtype must be F32 or BF16, got " + dtype);
        }
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return weight.shape()[1];
    }

    public int outFeatures() {
        return weight.shape()[0];
    }
}
