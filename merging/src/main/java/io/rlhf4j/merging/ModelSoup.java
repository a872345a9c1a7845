package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Model soups (Wortsman et al. 2022, "Model soups: averaging weights of multiple fine-tuned
 * models improves accuracy without increasing inference time"): averages of the weights of
 * models fine-tuned from one initialisation. All state dicts must have the same names, shapes
 * and dtypes; arithmetic is F32 (weights in double), results in the first model's dtype.
 */
public final class ModelSoup {

    private ModelSoup() {
    }

    /** The uniform soup: the mean of the models' parameters. */
    public static Map<String, Tensor> uniform(List<Map<String, Tensor>> models) {
        double[] w = new double[models.size()];
        Arrays.fill(w, 1);
        return weighted(models, w);
    }

    /** Σ_i w_i·θ_i / Σ_i w_i: the weights are normalised to sum to 1 (their sum must not be 0). */
    public static Map<String, Tensor> weighted(List<Map<String, Tensor>> models, double[] weights) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a soup needs at least one model");
        }
        if (weights.length != models.size()) {
            throw new IllegalArgumentException("weights has " + weights.length + " entries for " + models.size()
                    + " models");
        }
        double sum = Arrays.stream(weights).sum();
        if (sum == 0 || !Double.isFinite(sum)) {
            throw new IllegalArgumentException("soup weights must have a finite non-zero sum, got "
                    + Arrays.toString(weights));
        }
        Map<String, Tensor> first = models.getFirst();
        for (int i = 1; i < models.size(); i++) {
            StateDicts.requireCompatible(first, models.get(i), "model 0", "model " + i);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Grad.disabled()) {
            first.forEach((name, t) -> {
                double[] acc = new double[(int) t.numel()];
                for (int i = 0; i < models.size(); i++) {
                    float[] x = StateDicts.floats(models.get(i).get(name));
                    double w = weights[i] / sum;
                    for (int j = 0; j < x.length; j++) {
                        acc[j] += w * x[j];
                    }
                }
                float[] f = new float[acc.length];
                for (int j = 0; j < f.length; j++) {
                    f[j] = (float) acc[j];
                }
                out.put(name, StateDicts.tensorLike(f, t));
            });
        }
        return out;
    }

    /**
     * What the greedy soup chose.
     *
     * @param soup        the uniform average of the chosen models
     * @param chosen      indices (into the candidates) of the models in the soup, in the order added
     * @param score       the soup's score
     * @param individual  each candidate's own score, by candidate index
     */
    public record GreedyResult(Map<String, Tensor> soup, List<Integer> chosen, double score, double[] individual) {
    }

    /**
     * The greedy soup (Wortsman et al., Algorithm 1): candidates sorted by their own held-out
     * score (higher is better; ties keep the candidates' order), the soup starts with the best,
     * and each next candidate is added only if the uniform average with it scores strictly higher
     * than the soup without it (the specification: "adds models only when they improve").
     *
     * @param score the held-out evaluation of a state dict, supplied by the caller (e.g. load it
     *              into a model and measure accuracy); called once per candidate and once per trial
     */
    public static GreedyResult greedy(List<Map<String, Tensor>> candidates, ToDoubleFunction<Map<String, Tensor>> score) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a greedy soup needs at least one candidate");
        }
        double[] individual = new double[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            individual[i] = score.applyAsDouble(candidates.get(i));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> individual[i]).reversed());
        List<Integer> chosen = new ArrayList<>(List.of(order.getFirst()));
        Map<String, Tensor> soup = candidates.get(order.getFirst());
        double best = individual[order.getFirst()];
        for (int k = 1; k < order.size(); k++) {
            List<Integer> trial = new ArrayList<>(chosen);
            trial.add(order.get(k));
            Map<String, Tensor> trialSoup = uniform(trial.stream().map(candidates::get).toList());
            double s = score.applyAsDouble(trialSoup);
            if (s > best) {
                best = s;
                chosen = trial;
                soup = trialSoup;
            }
        }
        return new GreedyResult(soup, List.copyOf(chosen), best, individual);
    }
}
