package io.rlhf4j.engine.optim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets each parameter group's learning rate to base lr × {@link Schedule#multiplier}(step), like
 * torch's LambdaLR: the base rates are the groups' rates when the scheduler is made, the
 * multiplier for step 0 is applied at once, and each {@link #step()} (called after
 * {@code optimizer.step()}) advances by one.
 */
public final class LrScheduler {

    private final Optimizer optimizer;
    private final Schedule schedule;
    private final double[] baseLrs;
    private long step;

    public LrScheduler(Optimizer optimizer, Schedule schedule) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int k = 0; k < baseLrs.length; k++) {
            baseLrs[k] = groups.get(k).lr();
        }
        apply();
    }

    public void step() {
        step++;
        apply();
    }

    /** How many times {@link #step()} has run (torch's last_epoch). */
    public long currentStep() {
        return step;
    }

    /** The learning rate now set on the first group. */
    public double lastLr() {
        return optimizer.paramGroups().get(0).lr();
    }

    public Schedule schedule() {
        return schedule;
    }

    private void apply() {
        double m = schedule.multiplier(step);
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int k = 0; k < baseLrs.length; k++) {
            groups.get(k).setLr(baseLrs[k] * m);
        }
    }

    /** {@code last_epoch} and {@code base_lrs.<k>}. */
    public Map<String, Double> stateDict() {
        Map<String, Double> s = new HashMap<>();
        s.put("last_epoch", (double) step);
        for (int k = 0; k < baseLrs.length; k++) {
            s.put("base_lrs." + k, baseLrs[k]);
        }
        return s;
    }

    public void loadStateDict(Map<String, Double> state) {
        Double last = state.get("last_epoch");
        if (last == null) {
            throw new IllegalArgumentException("scheduler state has no 'last_epoch', keys are " + state.keySet());
        }
        for (int k = 0; k < baseLrs.length; k++) {
            Double base = state.get("base_lrs." + k);
            if (base == null) {
                throw new IllegalArgumentException("scheduler state has no 'base_lrs." + k + "', keys are "
                        + state.keySet());
            }
            baseLrs[k] = base;
        }
        step = last.longValue();
        apply();
    }
}
