package io.rlhf4j.nn;

import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node of a model tree, like torch.nn.Module: it owns named {@link Parameter}s and named child
 * modules, and names parameters by their dotted path ("model.layers.0.self_attn.q_proj.weight"),
 * which for the models of this package are exactly the Hugging Face names. Orders are stable:
 * parameters of a module in registration order, then each child's in registration order.
 */
public abstract class Module {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter under {@code name} (no dots) and returns it. */
    protected final Parameter registerParameter(String name, Parameter p) {
        checkName(name);
        parameters.put(name, p);
        return p;
    }

    /** Registers a child module under {@code name} (no dots) and returns it. */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        children.put(name, child);
        child.train(training);
        return child;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member names must be non-empty without dots, got '" + name + "'");
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /**
     * Replaces the child registered as {@code name} by {@code replacement} (same position in the
     * order, training mode carried over), as PEFT swaps a Linear for its LoRA wrapper. Layers
     * look their children up by name at each forward, so the replacement takes effect at once.
     */
    public final void replaceChild(String name, Module replacement) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name
                    + "' to replace; children: " + children.keySet());
        }
        children.put(name, replacement);
        replacement.train(training);
    }

    /** The child registered as {@code name}, as {@code type}. */
    protected final <T> T child(String name, Class<T> type) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no child '" + name + "'");
        }
        return type.cast(m);
    }

    /** Direct children in registration order. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Every parameter of this tree by its dotted name. A parameter registered in several places
     * (tied weights) appears once, under the first name in this order, as in torch.
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
        parameters.forEach((name, p) -> {
            if (seen.add(p)) {
                out.put(prefix + name, p);
            }
        });
        children.forEach((name, child) -> child.collect(prefix + name + ".", out, seen));
    }

    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Number of scalars in the parameters (tied parameters counted once). */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(Parameter::numel).sum();
    }

    /**
     * The parameter tensors by name, in {@link #namedParameters()} order. Tied parameters appear
     * once (what save_pretrained writes), where torch's state_dict lists every alias.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> out.put(name, p.tensor().detach()));
        return Collections.unmodifiableMap(out);
    }

    /** The names loadStateDict reports: what was missing and unexpected (empty when strict succeeds). */
    public record LoadResult(List<String> missing, List<String> unexpected) {
    }

    /**
     * Copies the tensors of {@code state} into the parameters of the same name (converted to the
     * parameter's dtype, into its own memory). Shapes must match exactly. With {@code strict},
     * any missing or unexpected name is an error; otherwise they are returned. Nothing is copied
     * when an error is thrown.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Parameter> named = namedParameters();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        named.forEach((name, p) -> {
            Tensor t = state.get(name);
            if (t == null) {
                missing.add(name);
            } else if (!Arrays.equals(t.shape(), p.shape())) {
                mismatched.add(name + ": expected " + Arrays.toString(p.shape()) + ", got " + Arrays.toString(t.shape()));
            }
        });
        List<String> unexpected = new ArrayList<>(new TreeSet<>(state.keySet()));
        unexpected.removeAll(named.keySet());
        if (!mismatched.isEmpty() || strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new StateDictException(getClass().getSimpleName(), missing, unexpected, mismatched);
        }
        named.forEach((name, p) -> {
            Tensor t = state.get(name);
            if (t != null) {
                p.load(t);
            }
        });
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    /** Training mode (dropout active) for this module and its descendants. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    public final Module train() {
        return train(true);
    }

    /** Evaluation mode: dropout becomes the identity. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Drops every parameter's gradient. */
    public final void zeroGrad() {
        parameters().forEach(p -> p.tensor().clearGrad());
    }
}
