package io.rlhf4j.trainers.loop;

import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.layers.LayerNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which parameters get weight decay, as transformers' Trainer.get_decay_parameter_names decides
 * (transformers 5.x, trainer.py): not the parameters of LayerNorm modules, and not those whose
 * lower-cased name matches {@code bias}, {@code layernorm}, {@code rmsnorm},
 * {@code (?:^|\.)norm(?:$|\.)} or {@code _norm(?:$|\.)} — so biases, every norm weight
 * (input_layernorm, model.norm, Qwen3's q_norm/k_norm, GPT-2's ln_*) go without decay while
 * embeddings and projection weights decay.
 */
public final class DecayParameters {

    private static final List<Pattern> FORBIDDEN = List.of(Pattern.compile("bias"), Pattern.compile("layernorm"),
            Pattern.compile("rmsnorm"), Pattern.compile("(?:^|\\.)norm(?:$|\\.)"), Pattern.compile("_norm(?:$|\\.)"));

    private DecayParameters() {
    }

    /** The names, in {@link Module#namedParameters()} order, of the parameters that decay. */
    public static List<String> decayNames(Module root) {
        Set<Parameter> inLayerNorm = Collections.newSetFromMap(new IdentityHashMap<>());
        collectLayerNorm(root, inLayerNorm);
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : root.namedParameters().entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (!inLayerNorm.contains(e.getValue()) && FORBIDDEN.stream().noneMatch(p -> p.matcher(lower).find())) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    private static void collectLayerNorm(Module m, Set<Parameter> out) {
        for (Module child : m.namedChildren().values()) {
            if (child instanceof LayerNorm) {
                out.addAll(child.parameters());
            }
            collectLayerNorm(child, out);
        }
    }
}
