package io.rlhf4j.inference;

/**
 * Settings of {@link MCTSGenerator}.
 *
 * @param simulations         search simulations before each token is committed
 * @param explorationConstant c in the PUCT rule Q + c·P·√N_parent / (1 + N_child)
 * @param temperature         softmax temperature of the policy priors and of rollout sampling
 * @param maxDepth            tokens generated at most (the depth of the tree below the prompt)
 * @param branchingWidth      children per expanded node: the policy's top-k tokens
 * @param seed                seeds rollout sampling
 */
public record MCTSConfig(int simulations, double explorationConstant, double temperature, int maxDepth,
        int branchingWidth, long seed) {

    public MCTSConfig {
        if (simulations < 1 || maxDepth < 1 || branchingWidth < 1) {
            throw new IllegalArgumentException("simulations, max_depth and branching_width must be >= 1, got "
                    + simulations + ", " + maxDepth + " and " + branchingWidth);
        }
        if (!(explorationConstant >= 0) || !(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("exploration_constant must be >= 0 and temperature positive and finite,"
                    + " got " + explorationConstant + " and " + temperature);
        }
    }

    /** 32 simulations, c = 1.4, temperature 1, depth 16, 4 children per node, seed 0. */
    public static MCTSConfig defaults() {
        return new MCTSConfig(32, 1.4, 1.0, 16, 4, 0);
    }

    public MCTSConfig withSimulations(int value) {
        return new MCTSConfig(value, explorationConstant, temperature, maxDepth, branchingWidth, seed);
    }

    public MCTSConfig withExplorationConstant(double value) {
        return new MCTSConfig(simulations, value, temperature, maxDepth, branchingWidth, seed);
    }

    public MCTSConfig withTemperature(double value) {
        return new MCTSConfig(simulations, explorationConstant, value, maxDepth, branchingWidth, seed);
    }

    public MCTSConfig withMaxDepth(int value) {
        return new MCTSConfig(simulations, explorationConstant, temperature, value, branchingWidth, seed);
    }

    public MCTSConfig withBranchingWidth(int value) {
        return new MCTSConfig(simulations, explorationConstant, temperature, maxDepth, value, seed);
    }

    public MCTSConfig withSeed(long value) {
        return new MCTSConfig(simulations, explorationConstant, temperature, maxDepth, branchingWidth, value);
    }
}
