package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-layer linear interpolation between two models of one architecture (the specification's
 * layer_wise_interpolation): each parameter becomes (1 − w)·a + w·b, where w is the weight of
 * model b for the parameter's decoder layer. Layers are recognised by Hugging Face names:
 * {@code model.layers.<i>.} (Llama family) and {@code transformer.h.<i>.} (GPT-2). Parameters
 * outside the layers take
 * <ul>
 *   <li>the embedding weight ({@code model.embed_tokens}, {@code transformer.wte},
 *       {@code transformer.wpe}), by default the first layer's weight, and</li>
 *   <li>the head weight (final norm {@code model.norm} / {@code transformer.ln_f}, and
 *       {@code lm_head}), by default the last layer's weight,</li>
 * </ul>
 * so that "keep the lower layers, take the upper ones" needs only the per-layer list.
 * Arithmetic in F32, results in a's dtype.
 */
public final class LayerWiseInterpolation {

    private static final Pattern LAYER = Pattern.compile("^(?:model\\.layers|transformer\\.h)\\.(\\d+)\\.");
    private static final Pattern EMBEDDING = Pattern.compile("^(?:model\\.embed_tokens|transformer\\.wte|transformer\\.wpe)\\.");
    private static final Pattern HEAD = Pattern.compile("^(?:model\\.norm|transformer\\.ln_f|lm_head)\\.");

    private LayerWiseInterpolation() {
    }

    /** With the default embedding (first layer's) and head (last layer's) weights. */
    public static Map<String, Tensor> interpolate(Map<String, Tensor> a, Map<String, Tensor> b, double[] layerWeights) {
        if (layerWeights.length == 0) {
            throw new IllegalArgumentException("layerWeights is empty; give one weight per decoder layer");
        }
        return interpolate(a, b, layerWeights, layerWeights[0], layerWeights[layerWeights.length - 1]);
    }

    /**
     * @param layerWeights    weight of {@code b} per decoder layer (one per layer, in layer order)
     * @param embeddingWeight weight of {@code b} for the embeddings
     * @param headWeight      weight of {@code b} for the final norm and the LM head
     */
    public static Map<String, Tensor> interpolate(Map<String, Tensor> a, Map<String, Tensor> b, double[] layerWeights,
            double embeddingWeight, double headWeight) {
        StateDicts.requireCompatible(a, b, "model a", "model b");
        int layers = 0;
        for (String name : a.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (layerWeights.length != layers) {
            throw new IllegalArgumentException("layerWeights has " + layerWeights.length + " entries for a model with "
                    + layers + " decoder layers");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Grad.disabled()) {
            a.forEach((name, ta) -> {
                float w = (float) weightOf(name, layerWeights, embeddingWeight, headWeight);
                float[] x = StateDicts.floats(ta);
                float[] y = StateDicts.floats(b.get(name));
                for (int j = 0; j < x.length; j++) {
                    x[j] = (1 - w) * x[j] + w * y[j];
                }
                out.put(name, StateDicts.tensorLike(x, ta));
            });
        }
        return out;
    }

    private static double weightOf(String name, double[] layerWeights, double embeddingWeight, double headWeight) {
        Matcher m = LAYER.matcher(name);
        if (m.find()) {
            return layerWeights[Integer.parseInt(m.group(1))];
        }
        if (EMBEDDING.matcher(name).find()) {
            return embeddingWeight;
        }
        if (HEAD.matcher(name).find()) {
            return headWeight;
        }
        throw new IllegalArgumentException("parameter " + name + " is neither in a decoder layer (model.layers.<i>., "
                + "transformer.h.<i>.) nor an embedding, final norm or lm_head; layer-wise interpolation knows "
                + "Llama-family and GPT-2 names");
    }
}
