package io.rlhf4j.merging;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Merges fine-tuned models of one base: task vectors delta_i = model_i − base per parameter, one
 * merged delta per parameter by the {@link MergeConfig#method()} (PEFT merge_utils semantics),
 * and merged = base + lambda · delta, in the base's dtype (arithmetic in F32). SLERP instead
 * interpolates the base and its single model directly (mergekit). Every state dict must have the
 * base's parameter names, shapes and dtypes.
 *
 * <p>DARE's drop masks are Bernoulli(density) draws from {@code Generator.seed(config.seed())},
 * one per (parameter, model) in the base's parameter order then model order, so a seed gives
 * the same merge every time (the bits differ from torch's RNG).
 */
public final class ModelMerger {

    /** Gives the 0/1 drop mask of DARE for a parameter and model index. */
    @FunctionalInterface
    interface DropMasks {
        float[] mask(String parameter, int model, int[] shape);
    }

    private final MergeConfig config;

    public ModelMerger(MergeConfig config) {
        this.config = config;
    }

    public MergeConfig config() {
        return config;
    }

    /** delta = model − base per parameter (F32 arithmetic, the base's dtype), after the compatibility checks. */
    public static Map<String, Tensor> taskVector(Map<String, Tensor> base, Map<String, Tensor> model) {
        StateDicts.requireCompatible(base, model, "the base model", "the model");
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Grad.disabled()) {
            base.forEach((name, b) -> {
                float[] x = StateDicts.floats(model.get(name));
                float[] y = StateDicts.floats(b);
                for (int j = 0; j < x.length; j++) {
                    x[j] -= y[j];
                }
                out.put(name, StateDicts.tensorLike(x, b));
            });
        }
        return out;
    }

    /** The merged state dict (the base's names, shapes and dtypes); tensors live in the caller's memory scope. */
    public Map<String, Tensor> merge(Map<String, Tensor> base, List<Map<String, Tensor>> models) {
        Generator generator = Generator.seed(config.seed());
        return merge(base, models, (name, model, shape) -> generator.bernoulli(config.density(), shape).toFloatArray());
    }

    /** {@link #merge(Map, List)} with DARE's drop masks given (tests compare with PEFT on the same masks). */
    Map<String, Tensor> merge(Map<String, Tensor> base, List<Map<String, Tensor>> models, DropMasks masks) {
        checkInputs(base, models);
        Map<String, Tensor> out = new LinkedHashMap<>();
        float lambda = (float) config.lambda();
        try (var _ = Grad.disabled()) {
            base.forEach((name, b) -> {
                float[] y = StateDicts.floats(b);
                float[] merged;
                if (config.method() == MergeMethod.SLERP) {
                    merged = MergeFunctions.slerp(config.t(), y, StateDicts.floats(models.getFirst().get(name)));
                } else {
                    float[] delta = mergedDelta(name, b.shape(), y, models, masks);
                    merged = new float[y.length];
                    for (int j = 0; j < y.length; j++) {
                        merged[j] = y[j] + lambda * delta[j];
                    }
                }
                out.put(name, StateDicts.tensorLike(merged, b));
            });
        }
        return out;
    }

    /** The merged delta of one parameter: what PEFT's merge function of the method returns. */
    float[] mergedDelta(String name, int[] shape, float[] base, List<Map<String, Tensor>> models, DropMasks masks) {
        int count = models.size();
        float[][] deltas = new float[count][];
        for (int i = 0; i < count; i++) {
            float[] x = StateDicts.floats(models.get(i).get(name));
            for (int j = 0; j < x.length; j++) {
                x[j] -= base[j];
            }
            deltas[i] = switch (config.method()) {
                case MAGNITUDE_PRUNE, TIES -> MergeFunctions.magnitudePrune(x, config.density());
                case DARE, DARE_TIES -> config.density() >= 1 ? x
                        : MergeFunctions.randomPrune(x, masks.mask(name, i, shape), config.density());
                default -> x;
            };
        }
        double[] w = config.effectiveWeights(count);
        float[] weights = new float[count];
        for (int i = 0; i < count; i++) {
            weights[i] = (float) w[i];
        }
        return config.method().electsSign()
                ? MergeFunctions.signElectedMerge(deltas, weights, config.majoritySignMethod().equals("frequency"))
                : MergeFunctions.weightedSum(deltas, weights);
    }

    private void checkInputs(Map<String, Tensor> base, List<Map<String, Tensor>> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge: no models given");
        }
        if (config.method() == MergeMethod.SLERP && models.size() != 1) {
            throw new IllegalArgumentException("slerp interpolates the base with exactly one model, got "
                    + models.size() + " models");
        }
        config.effectiveWeights(models.size());
        for (int i = 0; i < models.size(); i++) {
            StateDicts.requireCompatible(base, models.get(i), "the base model", "model " + i);
        }
    }

    /** Merges {@code models} into {@code base}: its parameters are replaced by the merge. */
    public void mergeInto(CausalLM base, List<? extends CausalLM> models) {
        List<Map<String, Tensor>> states = new ArrayList<>();
        for (CausalLM m : models) {
            states.add(m.module().stateDict());
        }
        base.module().loadStateDict(merge(base.module().stateDict(), states), true);
    }

    /**
     * Loads the base and model folders, merges, and writes the merged model to {@code output}
     * as a Hugging Face folder (config.json and safetensors, loadable by transformers), with the
     * base folder's other files (tokenizer, generation config) copied beside it.
     */
    public PreTrainedCausalLM mergeFolders(Path base, List<Path> models, Path output) throws IOException {
        PreTrainedCausalLM merged = AutoModelForCausalLM.fromPretrained(base, storedDType(base));
        List<PreTrainedCausalLM> loaded = new ArrayList<>();
        for (Path m : models) {
            loaded.add(AutoModelForCausalLM.fromPretrained(m, storedDType(m)));
        }
        try {
            mergeInto(merged, loaded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot merge " + models + " into " + base + ": " + e.getMessage(), e);
        }
        merged.save(output);
        copyOtherFiles(base, output);
        return merged;
    }

    /** The dtype config.json declares (dtype or torch_dtype), so a BF16 model stays BF16 when merged. */
    private static DType storedDType(Path folder) throws IOException {
        return switch (ModelConfig.read(folder).dtype()) {
            case "bfloat16" -> DType.BF16;
            case "float16" -> DType.F16;
            default -> DType.F32;
        };
    }

    private static void copyOtherFiles(Path base, Path output) throws IOException {
        try (Stream<Path> files = Files.list(base)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean weights = name.endsWith(".safetensors") || name.equals("model.safetensors.index.json");
                if (Files.isRegularFile(f) && !weights && !name.equals("config.json")) {
                    Files.copy(f, output.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Per-layer interpolation between two models of the same architecture; see
     * {@link LayerWiseInterpolation#interpolate}.
     */
    public static Map<String, Tensor> layerWiseInterpolation(Map<String, Tensor> a, Map<String, Tensor> b,
            double[] layerWeights) {
        return LayerWiseInterpolation.interpolate(a, b, layerWeights);
    }
}
