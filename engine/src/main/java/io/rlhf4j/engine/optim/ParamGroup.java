package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.Tensor;
import java.util.List;

/**
 * Parameters that share a learning rate and weight decay (torch's param_groups), for example
 * weights with decay and biases and norms without.
 */
public final class ParamGroup {

    private final List<Tensor> params;
    private double lr;
    private double weightDecay;

    public ParamGroup(List<Tensor> params, double lr, double weightDecay) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    public List<Tensor> params() {
        return params;
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.lr = lr;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }
}
