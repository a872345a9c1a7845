package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.layers.Dropout;
import io.rlhf4j.nn.layers.Linear;

/**
 * The specification's reward head, torch's {@code nn.Sequential(Linear(H, I), GELU(), Dropout(p),
 * Linear(I, 1))}, so its parameters are named as torch names them:
 * {@code 0.weight} [I, H], {@code 0.bias} [I], {@code 3.weight} [1, I], {@code 3.bias} [1]
 * (child 1, the GELU, has no parameters; child 2 is the dropout). GELU is the exact x·Φ(x), torch's default.
 */
public final class MlpRewardHead extends Module {

    private final Linear first;
    private final Dropout dropout;
    private final Linear last;

    public MlpRewardHead(int hidden, int inner, double dropoutProbability, long dropoutSeed, DType dtype) {
        first = registerModule("0", new Linear(hidden, inner, true, dtype));
        dropout = registerModule("2", new Dropout(dropoutProbability, dropoutSeed));
        last = registerModule("3", new Linear(inner, 1, true, dtype));
    }

    /** pooled [B, H] → rewards [B]. */
    public Tensor forward(Tensor pooled) {
        return last.forward(dropout.forward(first.forward(pooled).gelu())).squeeze(1);
    }

    /**
     * The stable initialisation rlhf4j uses for a new head: both weights normal(0, 1/√(H+1)) and
     * both biases 0, the reward-head initialisation of OpenAI's lm-human-preferences (Ziegler et
     * al. 2019, {@code init_std=1/np.sqrt(n_embd+1)}). With unit-scale hidden states (the final
     * norm's output) the initial rewards have standard deviation of order 0.1–1, so the
     * Bradley-Terry loss starts near log 2 with gradients reaching both layers, neither saturated
     * nor zero (a zero last layer would leave the first layer without gradient on the first step).
     * Weights are drawn from {@code generator} in the order 0.weight, 3.weight.
     */
    public void initialise(Generator generator) {
        double std = 1 / Math.sqrt(first.inFeatures() + 1.0);
        try (var _ = Memory.scope()) {
            first.weight().load(generator.normal(first.weight().shape(), 0, std, DType.F32));
            first.bias().load(Tensor.zeros(DType.F32, first.bias().shape()));
            last.weight().load(generator.normal(last.weight().shape(), 0, std, DType.F32));
            last.bias().load(Tensor.zeros(DType.F32, last.bias().shape()));
        }
    }

    public Linear first() {
        return first;
    }

    public Linear last() {
        return last;
    }

    public double dropoutProbability() {
        return dropout.probability();
    }
}
