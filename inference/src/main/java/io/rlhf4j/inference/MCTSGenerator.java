package io.rlhf4j.inference;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.FinishReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Token-level Monte Carlo tree search (the AlphaZero-style PUCT variant used for LLM reasoning
 * search): before each token is committed, {@link MCTSConfig#simulations()} simulations walk down
 * the tree choosing the child maximising Q + c·P·√N_parent / (1 + N_child), expand the leaf into
 * the policy's top-{@link MCTSConfig#branchingWidth()} tokens (priors: softmax at the config's
 * temperature, renormalised over those tokens), evaluate it (with the value function, or by a
 * sampled rollout to EOS or the depth limit scored by the terminal reward) and add the value to
 * every node on the path. The most visited child of the root is committed (the first on ties) and
 * the search continues below it. Deterministic for a seed.
 */
public final class MCTSGenerator {

    /** A score for prompt + completion: the terminal reward, or a value estimate of a partial completion. */
    @FunctionalInterface
    public interface Evaluator {
        double evaluate(long[] prompt, long[] completion);
    }

    /**
     * What a search produced.
     *
     * @param tokens          the committed completion
     * @param value           the mean value of the last committed node
     * @param bestFound       the highest-scoring terminal completion any simulation reached
     * @param bestFoundReward its terminal reward (−∞ when no terminal was reached)
     * @param evaluations     leaves evaluated
     */
    public record Result(long[] tokens, FinishReason finishReason, double value, long[] bestFound,
            double bestFoundReward, int evaluations) {
    }

    private final PolicyPriors policy;
    private final Evaluator terminalReward;
    private final Evaluator valueFunction;
    private final MCTSConfig config;

    /**
     * @param terminalReward scores finished completions (EOS or depth limit)
     * @param valueFunction  estimates unfinished leaves, or null to roll out to the end instead
     */
    public MCTSGenerator(PolicyPriors policy, Evaluator terminalReward, Evaluator valueFunction, MCTSConfig config) {
        if (policy == null || terminalReward == null) {
            throw new IllegalArgumentException("MCTS needs a policy and a terminal reward");
        }
        this.policy = policy;
        this.terminalReward = terminalReward;
        this.valueFunction = valueFunction;
        this.config = config;
    }

    public Result generate(long[] prompt, Set<Long> eosTokenIds) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        Search search = new Search(prompt, eosTokenIds, Generator.seed(config.seed()));
        Node root = new Node(new long[0], 1.0);
        double value = 0;
        while (!search.terminal(root)) {
            for (int s = 0; s < config.simulations(); s++) {
                search.simulate(root);
            }
            Node next = root.children.getFirst();
            for (Node c : root.children) {
                if (c.visits > next.visits) {
                    next = c;
                }
            }
            root = next;
            value = root.mean();
        }
        long[] tokens = root.completion;
        FinishReason reason = tokens.length > 0 && eosTokenIds.contains(tokens[tokens.length - 1]) ? FinishReason.EOS
                : FinishReason.LENGTH;
        return new Result(tokens, reason, value, search.bestFound, search.bestReward, search.evaluations);
    }

    /** A node: the completion so far, its prior, visit count and value sum. */
    private static final class Node {
        final long[] completion;
        final double prior;
        final List<Node> children = new ArrayList<>();
        int visits;
        double valueSum;

        Node(long[] completion, double prior) {
            this.completion = completion;
            this.prior = prior;
        }

        double mean() {
            return visits == 0 ? 0 : valueSum / visits;
        }
    }

    /** One generation's search state: the prompt, the rollout generator and the best terminal seen. */
    private final class Search {
        final long[] prompt;
        final Set<Long> eos;
        final Generator generator;
        long[] bestFound = new long[0];
        double bestReward = Double.NEGATIVE_INFINITY;
        int evaluations;

        Search(long[] prompt, Set<Long> eos, Generator generator) {
            this.prompt = prompt;
            this.eos = eos;
            this.generator = generator;
        }

        boolean terminal(Node node) {
            return terminal(node.completion);
        }

        boolean terminal(long[] completion) {
            return completion.length >= config.maxDepth()
                    || completion.length > 0 && eos.contains(completion[completion.length - 1]);
        }

        void simulate(Node root) {
            List<Node> path = new ArrayList<>();
            Node node = root;
            path.add(node);
            while (!node.children.isEmpty()) {
                node = select(node);
                path.add(node);
            }
            double value;
            if (terminal(node)) {
                value = reward(node.completion);
            } else {
                expand(node);
                value = valueFunction != null ? valueFunction.evaluate(prompt, node.completion)
                        : reward(rollout(node.completion));
            }
            evaluations++;
            for (Node n : path) {
                n.visits++;
                n.valueSum += value;
            }
        }

        /** PUCT: argmax Q + c·P·√N_parent / (1 + N_child), the first child on ties. */
        Node select(Node parent) {
            Node best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            double sqrtN = Math.sqrt(parent.visits);
            for (Node c : parent.children) {
                double score = c.mean() + config.explorationConstant() * c.prior * sqrtN / (1 + c.visits);
                if (score > bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
            return best;
        }

        void expand(Node node) {
            double[] probs = probabilities(node.completion);
            int width = Math.min(config.branchingWidth(), probs.length);
            Integer[] order = new Integer[probs.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : a - b);
            double mass = 0;
            for (int i = 0; i < width; i++) {
                mass += probs[order[i]];
            }
            for (int i = 0; i < width; i++) {
                int token = order[i];
                long[] child = Arrays.copyOf(node.completion, node.completion.length + 1);
                child[child.length - 1] = token;
                node.children.add(new Node(child, mass > 0 ? probs[token] / mass : 1.0 / width));
            }
        }

        /** Samples tokens from the policy at the config's temperature until EOS or the depth limit. */
        long[] rollout(long[] completion) {
            long[] c = completion;
            while (!terminal(c)) {
                double[] probs = probabilities(c);
                c = Arrays.copyOf(c, c.length + 1);
                c[c.length - 1] = SpeculativeSampling.sample(probs, generator.nextDouble());
            }
            return c;
        }

        double reward(long[] completion) {
            double r = terminalReward.evaluate(prompt, completion);
            if (r > bestReward) {
                bestReward = r;
                bestFound = completion;
            }
            return r;
        }

        /** softmax(logits / temperature) in double. */
        double[] probabilities(long[] completion) {
            long[] sequence = Arrays.copyOf(prompt, prompt.length + completion.length);
            System.arraycopy(completion, 0, sequence, prompt.length, completion.length);
            float[] logits = policy.nextTokenLogits(sequence);
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double[] p = new double[logits.length];
            double sum = 0;
            for (int v = 0; v < logits.length; v++) {
                p[v] = Math.exp((logits[v] - max) / config.temperature());
                sum += p[v];
            }
            for (int v = 0; v < p.length; v++) {
                p[v] /= sum;
            }
            return p;
        }
    }
}
