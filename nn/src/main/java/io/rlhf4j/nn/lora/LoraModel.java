package io.rlhf4j.nn.lora;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model whose targeted layers carry LoRA adapters (PEFT's PeftModel for one adapter). The model
 * is modified in place: {@link #model()} is the same object that was adapted, and it computes
 * with the adapters. {@link #mergeAndUnload()} folds them into the base weights and restores the
 * plain layers.
 */
public final class LoraModel<M extends Module> {

    /** Prefix PEFT puts before the model's own parameter names in adapter_model.safetensors. */
    static final String KEY_PREFIX = "base_model.model.";

    /** Where an adapter sits: its parent, its name there, its dotted path from the model root. */
    record Site(Module parent, String childName, String path, LoraLinear layer) {
    }

    private final M model;
    private final LoraConfig config;
    private final List<Site> sites;
    private final Map<Parameter, Boolean> frozenBefore;
    private boolean unloaded;

    LoraModel(M model, LoraConfig config, List<Site> sites, Map<Parameter, Boolean> frozenBefore) {
        this.model = model;
        this.config = config;
        this.sites = List.copyOf(sites);
        this.frozenBefore = new IdentityHashMap<>(frozenBefore);
    }

    /** The adapted model (computes base + adapters, or the merged weights after {@link #merge()}). */
    public M model() {
        checkLoaded();
        return model;
    }

    /** The config as applied: target_modules resolved ("all-linear", defaults), fan_in_fan_out as forced. */
    public LoraConfig config() {
        return config;
    }

    /** The adapted layers by dotted module path, in model order. */
    public Map<String, LoraLinear> layers() {
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        sites.forEach(s -> out.put(s.path(), s.layer()));
        return Collections.unmodifiableMap(out);
    }

    /** The parameters that require grad (the adapters' A and B unless in inference mode), in model order. */
    public List<Parameter> trainableParameters() {
        return model.parameters().stream().filter(p -> p.tensor().requiresGrad()).toList();
    }

    /**
     * PEFT's print_trainable_parameters line: {@code trainable params: 1,280 || all params: 41,840
     * || trainable%: 3.0593}, tied parameters counted once. The percentage is 100·t/a rounded to
     * 4 places from its exact binary value, half to even, as Python's {@code :.4f} does.
     */
    public String trainableSummary() {
        long all = 0;
        long trainable = 0;
        for (Parameter p : model.parameters()) {
            all += p.numel();
            trainable += p.tensor().requiresGrad() ? p.numel() : 0;
        }
        double percent = 100.0 * trainable / all;
        String fixed = new BigDecimal(percent).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %s", trainable, all,
                fixed);
    }

    /** Folds every adapter into its base weight (W += ΔW); the forward then skips the adapters. */
    public void merge() {
        checkLoaded();
        sites.forEach(s -> s.layer().merge());
    }

    /** Takes the adapters back out of the base weights (W −= ΔW). */
    public void unmerge() {
        checkLoaded();
        sites.forEach(s -> s.layer().unmerge());
    }

    /**
     * Merges, puts the plain Linear/Conv1D layers back in place of the wrappers, and gives the base
     * parameters back the requires-grad flags they had before LoRA was applied. This handle is
     * unusable afterwards.
     */
    public M mergeAndUnload() {
        merge();
        for (Site s : sites) {
            s.parent().replaceChild(s.childName(), s.layer().base());
        }
        frozenBefore.forEach((p, requiresGrad) -> p.tensor().requiresGrad(requiresGrad));
        unloaded = true;
        return model;
    }

    /** The adapter weights under PEFT's saved names ("base_model.model.<path>.lora_A.weight"). */
    public Map<String, Tensor> adapterStateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Site s : sites) {
            out.put(KEY_PREFIX + s.path() + ".lora_A.weight", s.layer().loraA().weight().tensor().detach());
            out.put(KEY_PREFIX + s.path() + ".lora_B.weight", s.layer().loraB().weight().tensor().detach());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Copies adapter weights saved under PEFT's names in; every adapter must be there, nothing else. */
    void loadAdapterStateDict(Map<String, Tensor> state, Path source) {
        Map<String, Parameter> expected = new LinkedHashMap<>();
        for (Site s : sites) {
            expected.put(KEY_PREFIX + s.path() + ".lora_A.weight", s.layer().loraA().weight());
            expected.put(KEY_PREFIX + s.path() + ".lora_B.weight", s.layer().loraB().weight());
        }
        List<String> missing = new ArrayList<>(expected.keySet());
        missing.removeAll(state.keySet());
        List<String> unexpected = new ArrayList<>(state.keySet());
        unexpected.removeAll(expected.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(source + " does not match the adapter built from its config: missing "
                    + missing + ", unexpected " + unexpected);
        }
        expected.forEach((name, p) -> {
            Tensor t = state.get(name);
            if (!Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(source + ": " + name + " has shape "
                        + Arrays.toString(t.shape()) + ", the model needs " + Arrays.toString(p.shape()));
            }
        });
        expected.forEach((name, p) -> p.load(state.get(name)));
    }

    /** Writes adapter_config.json and adapter_model.safetensors as PEFT's save_pretrained does. */
    public void save(Path directory) throws IOException {
        checkLoaded();
        AdapterFiles.save(this, directory);
    }

    private void checkLoaded() {
        if (unloaded) {
            throw new IllegalStateException("this LoRA model was merged and unloaded; use the model it returned");
        }
    }
}
