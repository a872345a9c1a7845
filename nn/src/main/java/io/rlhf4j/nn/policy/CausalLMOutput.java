package io.rlhf4j.nn.policy;

import io.rlhf4j.engine.Tensor;

/**
 * A forward pass's logits [B, T, V] and, when labels were given, the mean next-token
 * cross-entropy (a scalar), else null.
 */
public record CausalLMOutput(Tensor logits, Tensor loss) {
}
