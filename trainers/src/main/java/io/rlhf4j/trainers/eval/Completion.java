package io.rlhf4j.trainers.eval;

/**
 * One sampled completion.
 *
 * @param prompt    the index of its prompt
 * @param promptIds the prompt's ids, unpadded
 * @param ids       the generated ids, the EOS included when it ended the completion
 */
public record Completion(int prompt, long[] promptIds, long[] ids) {
}
