package io.rlhf4j.trainers.loop;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.random.GeneratorState;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.lora.Lora;
import io.rlhf4j.nn.lora.LoraConfig;
import io.rlhf4j.nn.lora.LoraModel;
import io.rlhf4j.nn.lora.TargetModules;
import io.rlhf4j.nn.models.TrainableModel;
import io.rlhf4j.trainers.config.BaseConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The LoRA side of a run with use_peft (the spec's apply_lora): adapters are added to the loaded
 * model before the optimizer is built, so only they are trained and hold optimizer state. A
 * checkpoint holds just the adapter weights and the adapters' dropout streams; resuming applies
 * the same adapters again (same seed) and loads those over them.
 */
final class PeftAdapter {

    /** Prefix of the dropout streams' names among a checkpoint's generator states. */
    private static final String DROPOUT_STREAM = "lora_dropout.";

    private final LoraModel<Module> lora;

    private PeftAdapter(LoraModel<Module> lora) {
        this.lora = lora;
    }

    /** Adds adapters to {@code model} as the config's LoRA keys say; {@code run} seeds them via a fork. */
    static PeftAdapter apply(TrainableModel model, BaseConfig config, Generator run) {
        return new PeftAdapter(Lora.apply(model.module(), model.config().modelType(), loraConfig(config),
                run.fork("lora")));
    }

    /** TRL's get_peft_config (trl 1.13, trl/trainer/utils.py): task CAUSAL_LM, bias none. */
    static LoraConfig loraConfig(BaseConfig config) {
        List<String> targets = config.loraTargetModules;
        TargetModules modules = targets == null ? null
                : targets.equals(List.of(TargetModules.ALL_LINEAR)) ? TargetModules.allLinear()
                : TargetModules.of(targets);
        return LoraConfig.builder()
                .r(config.loraR)
                .loraAlpha(config.loraAlpha)
                .loraDropout(config.loraDropout)
                .targetModules(modules)
                .baseModelNameOrPath(config.modelNameOrPath)
                .build();
    }

    /** PEFT's print_trainable_parameters line. */
    String summary() {
        return lora.trainableSummary();
    }

    /** The adapter weights by their names in the model's state dict. */
    Map<String, Tensor> trainedState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        lora.model().namedParameters().forEach((name, p) -> {
            if (p.tensor().requiresGrad()) {
                out.put(name, p.tensor().detach());
            }
        });
        return out;
    }

    /** Loads adapter weights saved by {@link #trainedState()}; the names must be exactly the adapters'. */
    void loadTrainedState(Map<String, Tensor> state) {
        Map<String, Parameter> named = lora.model().namedParameters();
        TreeSet<String> expected = new TreeSet<>();
        named.forEach((name, p) -> {
            if (p.tensor().requiresGrad()) {
                expected.add(name);
            }
        });
        if (!expected.equals(new TreeSet<>(state.keySet()))) {
            TreeSet<String> missing = new TreeSet<>(expected);
            missing.removeAll(state.keySet());
            TreeSet<String> unexpected = new TreeSet<>(state.keySet());
            unexpected.removeAll(expected);
            throw new IllegalArgumentException("the checkpoint's weights do not match this run's LoRA adapters"
                    + " (missing " + first(missing) + ", unexpected " + first(unexpected) + "): resume with the"
                    + " use_peft and lora_* values the run was started with");
        }
        lora.model().loadStateDict(state, false);
    }

    private static String first(TreeSet<String> names) {
        return names.size() <= 3 ? names.toString() : List.copyOf(names).subList(0, 3) + " and " + (names.size() - 3)
                + " more";
    }

    /** The dropout streams' states by name, for the checkpoint. */
    Map<String, GeneratorState> generatorStates() {
        Map<String, GeneratorState> out = new LinkedHashMap<>();
        lora.layers().forEach((path, layer) -> out.put(DROPOUT_STREAM + path, layer.dropoutGenerator().state()));
        return out;
    }

    void restoreGenerators(Map<String, GeneratorState> states) {
        lora.layers().forEach((path, layer) -> {
            GeneratorState s = states.get(DROPOUT_STREAM + path);
            if (s != null) {
                layer.dropoutGenerator().restore(s);
            }
        });
    }

    /** Writes adapter_config.json and adapter_model.safetensors (PEFT's save_pretrained). */
    void save(Path directory) throws IOException {
        lora.save(directory);
    }
}
