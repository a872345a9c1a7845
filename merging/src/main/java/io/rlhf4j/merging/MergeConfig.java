package io.rlhf4j.merging;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@link ModelMerger} does: the method and its settings, and for the command line the
 * folders to read and write. Config keys (YAML or JSON, see {@link MergeConfigFile}) are the
 * snake_case names in {@link #of}.
 *
 * @param baseModel          the base model folder (the command line's input; null in library use)
 * @param models             the fine-tuned model folders (command line; empty in library use)
 * @param outputDir          where the merged model is written (command line)
 * @param method             the merge method
 * @param weights            one weight per model; null means 1 for each
 * @param density            the fraction of each delta kept by TIES, DARE and magnitude pruning,
 *                           in (0, 1]; 1 keeps everything (as PEFT, which then skips pruning)
 * @param majoritySignMethod "total" (sign of Σ delta) or "frequency" (sign of Σ sign(delta)), PEFT's
 * @param normalize          divide the weights by their sum before merging (so they sum to 1)
 * @param lambda             scale of the merged delta added to the base (mergekit's lambda); not SLERP
 * @param t                  SLERP's interpolation factor: 0 gives the base, 1 the model
 * @param seed               seed of DARE's random drop masks
 */
public record MergeConfig(String baseModel, List<String> models, String outputDir, MergeMethod method,
        List<Double> weights, double density, String majoritySignMethod, boolean normalize, double lambda, double t,
        long seed) {

    public MergeConfig {
        models = models == null ? List.of() : List.copyOf(models);
        weights = weights == null ? null : List.copyOf(weights);
        if (method == null) {
            throw new IllegalArgumentException("method is required: one of task_arithmetic, magnitude_prune, ties, "
                    + "dare, dare_ties, slerp");
        }
        if (method.usesDensity() && !(density > 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in (0, 1] for " + method + ", got " + density);
        }
        majoritySignMethod = majoritySignMethod == null ? "total" : majoritySignMethod.toLowerCase(Locale.ROOT);
        if (!majoritySignMethod.equals("total") && !majoritySignMethod.equals("frequency")) {
            throw new IllegalArgumentException("majority_sign_method must be total or frequency, got '"
                    + majoritySignMethod + "'");
        }
        if (!Double.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite, got " + lambda);
        }
        if (method == MergeMethod.SLERP && !(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("t must be in [0, 1] for slerp, got " + t);
        }
        if (weights != null && weights.stream().anyMatch(w -> w == null || !Double.isFinite(w))) {
            throw new IllegalArgumentException("weights must be finite numbers, got " + weights);
        }
        if (weights != null && !models.isEmpty() && weights.size() != models.size()) {
            throw new IllegalArgumentException("weights has " + weights.size() + " entries for " + models.size()
                    + " models");
        }
    }

    /**
     * The config with defaults for absent keys: weights 1 each, density 1 (no pruning, as PEFT
     * at density ≥ 1: set it below 1 for TIES and DARE to trim), majority_sign_method total,
     * normalize false, lambda 1, t 0.5, seed 42.
     */
    @JsonCreator
    public static MergeConfig of(@JsonProperty("base_model") String baseModel,
            @JsonProperty("models") List<String> models, @JsonProperty("output_dir") String outputDir,
            @JsonProperty(value = "method", required = true) String method,
            @JsonProperty("weights") List<Double> weights, @JsonProperty("density") Double density,
            @JsonProperty("majority_sign_method") String majoritySignMethod,
            @JsonProperty("normalize") Boolean normalize, @JsonProperty("lambda") Double lambda,
            @JsonProperty("t") Double t, @JsonProperty("seed") Long seed) {
        return new MergeConfig(baseModel, models, outputDir, method == null ? null : MergeMethod.parse(method),
                weights, density == null ? 1.0 : density, majoritySignMethod, normalize != null && normalize,
                lambda == null ? 1.0 : lambda, t == null ? 0.5 : t, seed == null ? 42 : seed);
    }

    /** A config for library use (no folders) with the defaults of {@link #of}. */
    public static MergeConfig of(MergeMethod method) {
        return new MergeConfig(null, null, null, method, null, 1.0, "total", false, 1.0, 0.5, 42);
    }

    public MergeConfig withWeights(double... w) {
        return new MergeConfig(baseModel, models, outputDir, method, Arrays.stream(w).boxed().toList(),
                density, majoritySignMethod, normalize, lambda, t, seed);
    }

    public MergeConfig withDensity(double d) {
        return new MergeConfig(baseModel, models, outputDir, method, weights, d, majoritySignMethod, normalize, lambda,
                t, seed);
    }

    public MergeConfig withMajoritySignMethod(String m) {
        return new MergeConfig(baseModel, models, outputDir, method, weights, density, m, normalize, lambda, t, seed);
    }

    public MergeConfig withNormalize(boolean n) {
        return new MergeConfig(baseModel, models, outputDir, method, weights, density, majoritySignMethod, n, lambda,
                t, seed);
    }

    public MergeConfig withLambda(double l) {
        return new MergeConfig(baseModel, models, outputDir, method, weights, density, majoritySignMethod, normalize,
                l, t, seed);
    }

    public MergeConfig withT(double value) {
        return new MergeConfig(baseModel, models, outputDir, method, weights, density, majoritySignMethod, normalize,
                lambda, value, seed);
    }

    public MergeConfig withSeed(long s) {
        return new MergeConfig(baseModel, models, outputDir, method, weights, density, majoritySignMethod, normalize,
                lambda, t, s);
    }

    /**
     * The weight of each of {@code count} models: the configured ones (1 each when absent),
     * divided by their sum when {@link #normalize} (an error when they sum to 0).
     */
    public double[] effectiveWeights(int count) {
        if (weights != null && weights.size() != count) {
            throw new IllegalArgumentException("weights has " + weights.size() + " entries for " + count + " models");
        }
        double[] w = new double[count];
        for (int i = 0; i < count; i++) {
            w[i] = weights == null ? 1.0 : weights.get(i);
        }
        if (normalize) {
            double sum = 0;
            for (double x : w) {
                sum += x;
            }
            if (sum == 0) {
                throw new IllegalArgumentException("normalize: the weights " + weights + " sum to 0");
            }
            for (int i = 0; i < count; i++) {
                w[i] /= sum;
            }
        }
        return w;
    }
}
