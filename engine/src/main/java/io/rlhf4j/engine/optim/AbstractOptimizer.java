package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.ops.Copy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every optimizer shares: parameter validation, gradient zeroing, learning rates, and the
 * naming and checking of state dicts. Subclasses keep per-parameter state indexed by the
 * parameter's position across all groups.
 */
abstract class AbstractOptimizer implements Optimizer {

    /** Elements per worker below which an update runs on fewer threads. */
    static final int MIN_CHUNK = 1 << 15;

    private final List<ParamGroup> groups;
    private final List<Tensor> params = new ArrayList<>();
    private final List<ParamGroup> groupOfParam = new ArrayList<>();

    AbstractOptimizer(List<ParamGroup> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("an optimizer needs at least one parameter group");
        }
        this.groups = List.copyOf(groups);
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : this.groups) {
            for (Tensor p : g.params()) {
                int i = params.size();
                if (!seen.add(p)) {
                    throw new IllegalArgumentException("parameter " + i + " appears more than once");
                }
                if (!p.isLeaf() || !p.requiresGrad()) {
                    throw new IllegalArgumentException("parameter " + i + " must be a leaf with requiresGrad, got " + p);
                }
                if ((p.dtype() != DType.F32 && p.dtype() != DType.F64) || !p.isContiguous()) {
                    throw new IllegalArgumentException("parameter " + i + " must be a contiguous F32 or F64 tensor, got "
                            + p.dtype() + Shapes.toString(p.shape()) + " with strides " + Arrays.toString(p.strides()));
                }
                params.add(p);
                groupOfParam.add(g);
            }
        }
    }

    /** Every parameter, in group order: the index used in state dict names. */
    final List<Tensor> params() {
        return params;
    }

    final ParamGroup groupOf(int i) {
        return groupOfParam.get(i);
    }

    /** The gradient of {@code p} as a contiguous tensor of p's dtype, or null when it has none. */
    static Tensor gradOf(Tensor p, int index) {
        Tensor g = p.grad();
        if (g == null) {
            return null;
        }
        if (!Arrays.equals(g.shape(), p.shape())) {
            throw new IllegalStateException("gradient of parameter " + index + " has shape " + Shapes.toString(g.shape())
                    + ", parameter has " + Shapes.toString(p.shape()));
        }
        return g.to(p.dtype()).contiguous();
    }

    /** Zeros shaped like {@code like}, outside every memory scope (optimizer state is long-lived). */
    static Tensor longLivedZeros(Tensor like) {
        long bytes = like.numel() * like.dtype().byteSize();
        Tensor t = new Tensor(Memory.allocateIn(null, bytes), like.dtype(), like.shape(),
                Shapes.contiguousStrides(like.shape()), 0);
        t.fill(0);
        return t;
    }

    /** A long-lived copy of {@code t}. */
    static Tensor snapshot(Tensor t) {
        Tensor copy = longLivedZeros(t);
        Copy.into(t.contiguous(), copy);
        return copy;
    }

    @Override
    public void zeroGrad() {
        zeroGrad(false);
    }

    @Override
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : params) {
            if (setToNone) {
                p.clearGrad();
            } else {
                p.zeroGrad();
            }
        }
    }

    @Override
    public double lr() {
        return groups.get(0).lr();
    }

    @Override
    public void setLr(double lr) {
        for (ParamGroup g : groups) {
            g.setLr(lr);
        }
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** Names of the per-parameter tensors this optimizer keeps ("exp_avg", ...). */
    abstract List<String> stateTensorNames();

    /** Names of the per-parameter scalars this optimizer keeps ("step", ...). */
    abstract List<String> stateScalarNames();

    /** Adds parameter i's state under {@code state.<i>.<name>}. */
    abstract void saveParamState(int i, Map<String, Tensor> tensors, Map<String, Double> scalars);

    /** Replaces parameter i's state; the names are those of {@link #saveParamState}, absent when none. */
    abstract void loadParamState(int i, Map<String, Tensor> tensors, Map<String, Double> scalars);

    @Override
    public StateDict stateDict() {
        Map<String, Tensor> tensors = new HashMap<>();
        Map<String, Double> scalars = new HashMap<>();
        for (int k = 0; k < groups.size(); k++) {
            scalars.put("param_groups." + k + ".lr", groups.get(k).lr());
            scalars.put("param_groups." + k + ".weight_decay", groups.get(k).weightDecay());
        }
        for (int i = 0; i < params.size(); i++) {
            Map<String, Tensor> t = new HashMap<>();
            Map<String, Double> s = new HashMap<>();
            saveParamState(i, t, s);
            String prefix = "state." + i + ".";
            t.forEach((name, value) -> tensors.put(prefix + name, snapshot(value)));
            s.forEach((name, value) -> scalars.put(prefix + name, value));
        }
        return new StateDict(tensors, scalars);
    }

    @Override
    public void loadStateDict(StateDict state) {
        List<Map<String, Tensor>> tensors = new ArrayList<>();
        List<Map<String, Double>> scalars = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            tensors.add(new HashMap<>());
            scalars.add(new HashMap<>());
        }
        state.tensors().forEach((key, value) -> {
            int i = paramIndex(key, stateTensorNames());
            Tensor p = params.get(i);
            if (!Arrays.equals(value.shape(), p.shape())) {
                throw new IllegalArgumentException("optimizer state '" + key + "' has shape " + Shapes.toString(value.shape())
                        + " but parameter " + i + " has shape " + Shapes.toString(p.shape()));
            }
            tensors.get(i).put(key.substring(key.lastIndexOf('.') + 1), snapshot(value.to(p.dtype())));
        });
        for (Map.Entry<String, Double> e : state.scalars().entrySet()) {
            String key = e.getKey();
            if (key.startsWith("param_groups.")) {
                String[] f = key.split("\\.");
                int k = f.length == 3 ? parseIndex(f[1], groups.size(), key) : -1;
                switch (f.length == 3 ? f[2] : "") {
                    case "lr" -> groups.get(k).setLr(e.getValue());
                    case "weight_decay" -> groups.get(k).setWeightDecay(e.getValue());
                    default -> throw new IllegalArgumentException("unknown optimizer state entry '" + key + "'");
                }
            } else {
                int i = paramIndex(key, stateScalarNames());
                scalars.get(i).put(key.substring(key.lastIndexOf('.') + 1), e.getValue());
            }
        }
        for (int i = 0; i < params.size(); i++) {
            loadParamState(i, tensors.get(i), scalars.get(i));
        }
    }

    private int paramIndex(String key, List<String> names) {
        String[] f = key.split("\\.");
        if (f.length != 3 || !f[0].equals("state") || !names.contains(f[2])) {
            throw new IllegalArgumentException("unknown optimizer state entry '" + key + "'; expected state.<i>."
                    + String.join("|", names));
        }
        return parseIndex(f[1], params.size(), key);
    }

    private static int parseIndex(String s, int size, String key) {
        int i;
        try {
            i = Integer.parseInt(s);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("optimizer state entry '" + key + "' has no numeric index", ex);
        }
        if (i < 0 || i >= size) {
            throw new IllegalArgumentException("optimizer state entry '" + key + "' refers to index " + i
                    + ", but there are only " + size);
        }
        return i;
    }
}
