package io.rlhf4j.nn.lora;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.layers.Conv1D;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The spec's apply_lora, as PEFT's get_peft_model and PeftModel.from_pretrained do it: wrap each
 * targeted Linear/Conv1D in a {@link LoraLinear}, freeze everything else, log the trainable share.
 */
public final class Lora {

    private static final System.Logger LOG = System.getLogger(Lora.class.getName());

    /** The output layer that "all-linear" leaves alone (PEFT excludes get_output_embeddings()). */
    private static final String OUTPUT_LAYER = "lm_head";

    private Lora() {
    }

    /**
     * Adds fresh adapters (A random, B zero) to {@code model}; only their A and B remain trainable.
     * {@code generator} draws A (one child stream per layer) and the dropout masks.
     */
    public static <M extends PreTrainedCausalLM> LoraModel<M> apply(M model, LoraConfig config, Generator generator) {
        return apply(model, model.config().modelType(), config, generator);
    }

    /** As above for any module tree; {@code modelType} picks PEFT's default targets when none are set. */
    public static <M extends Module> LoraModel<M> apply(M model, String modelType, LoraConfig config,
            Generator generator) {
        List<Target> targets = findTargets(model, modelType, config);
        boolean conv = targets.getFirst().module() instanceof Conv1D;
        if (conv != config.fanInFanOut()) {
            // PEFT corrects the flag the same way, with the same warning (lora.layer.Linear.__init__).
            LOG.log(System.Logger.Level.WARNING, "fan_in_fan_out is set to " + (conv ? "False" : "True")
                    + " but the target modules are " + (conv ? "Conv1D" : "Linear") + ". Setting fan_in_fan_out to "
                    + (conv ? "True" : "False") + ".");
        }
        LoraConfig applied = config.toBuilder()
                .targetModules(resolvedTargets(model, modelType, config))
                .fanInFanOut(conv)
                .build();
        Map<Parameter, Boolean> before = new IdentityHashMap<>();
        model.parameters().forEach(p -> before.put(p, p.tensor().requiresGrad()));
        List<LoraModel.Site> sites = new ArrayList<>();
        for (Target t : targets) {
            LoraLinear layer = new LoraLinear(t.module(), config.r(), config.scaling(), config.loraDropout(),
                    generator.fork("lora_A." + t.path()), generator.fork("lora_dropout." + t.path()));
            t.parent().replaceChild(t.name(), layer);
            sites.add(new LoraModel.Site(t.parent(), t.name(), t.path(), layer));
        }
        Set<Parameter> adapters = Collections.newSetFromMap(new IdentityHashMap<>());
        sites.forEach(s -> {
            adapters.add(s.layer().loraA().weight());
            adapters.add(s.layer().loraB().weight());
        });
        model.parameters().forEach(p -> p.tensor().requiresGrad(adapters.contains(p) && !config.inferenceMode()));
        LoraModel<M> lora = new LoraModel<>(model, applied, sites, before);
        LOG.log(System.Logger.Level.INFO, lora.trainableSummary());
        return lora;
    }

    /**
     * Loads an adapter folder written by PEFT's save_pretrained (or {@link LoraModel#save}) onto
     * {@code model} for inference: adapters and base frozen (PeftModel.from_pretrained with
     * is_trainable=False).
     */
    public static <M extends PreTrainedCausalLM> LoraModel<M> load(M model, Path adapterDirectory) throws IOException {
        return load(model, model.config().modelType(), adapterDirectory, false, Generator.seed(0));
    }

    /**
     * Loads an adapter folder; with {@code trainable} the adapters stay trainable (to continue
     * training) and {@code generator} draws their dropout masks.
     */
    public static <M extends Module> LoraModel<M> load(M model, String modelType, Path adapterDirectory,
            boolean trainable, Generator generator) throws IOException {
        LoraConfig config = LoraConfig.fromPretrained(adapterDirectory).toBuilder().inferenceMode(!trainable).build();
        var weights = AdapterFiles.readWeights(adapterDirectory);
        LoraModel<M> lora = apply(model, modelType, config, generator);
        lora.loadAdapterStateDict(weights, adapterDirectory.resolve(AdapterFiles.WEIGHTS));
        return lora;
    }

    private record Target(Module parent, String name, String path, Module module) {
    }

    private static TargetModules resolvedTargets(Module model, String modelType, LoraConfig config) {
        TargetModules configured = config.targetModules() == null ? TargetModules.defaultFor(modelType)
                : config.targetModules();
        if (!configured.isAllLinear()) {
            return configured;
        }
        // PEFT replaces "all-linear" by the full names of the layers it found (_maybe_include_all_linear_layers).
        List<String> names = new ArrayList<>();
        walk(model, "", (parent, name, path, module) -> {
            if ((module instanceof Linear || module instanceof Conv1D) && !path.equals(OUTPUT_LAYER)) {
                names.add(path);
            }
        });
        return TargetModules.of(names);
    }

    private static List<Target> findTargets(Module model, String modelType, LoraConfig config) {
        TargetModules targets = resolvedTargets(model, modelType, config);
        TargetModules excluded = config.excludeModules();
        List<Target> found = new ArrayList<>();
        Set<String> unsupported = new LinkedHashSet<>();
        walk(model, "", (parent, name, path, module) -> {
            if (!targets.matches(path) || excluded != null && excluded.matches(path)) {
                return;
            }
            if (module instanceof Linear || module instanceof Conv1D) {
                found.add(new Target(parent, name, path, module));
            } else if (module instanceof LoraLinear) {
                throw new IllegalStateException(path + " already has a LoRA adapter; merge and unload it first");
            } else {
                unsupported.add(path + " (" + module.getClass().getSimpleName() + ")");
            }
        });
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("LoRA target modules must be Linear or Conv1D layers; target_modules "
                    + describe(targets) + " also matches " + unsupported);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("target_modules " + describe(targets) + " matches no module of the"
                    + " model; check the names (e.g. q_proj, v_proj, c_attn) or use \"all-linear\"");
        }
        return found;
    }

    private static String describe(TargetModules t) {
        return t.pattern() != null ? "\"" + t.pattern() + "\"" : t.names().toString();
    }

    private interface Visitor {
        void visit(Module parent, String name, String path, Module module);
    }

    /** Every module below {@code module}, parents first; adapters are not entered (no nested LoRA). */
    private static void walk(Module module, String prefix, Visitor visitor) {
        module.namedChildren().forEach((name, child) -> {
            String path = prefix + name;
            visitor.visit(module, name, path, child);
            if (!(child instanceof LoraLinear)) {
                walk(child, path + ".", visitor);
            }
        });
    }
}
