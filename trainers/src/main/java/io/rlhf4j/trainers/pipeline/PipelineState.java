package io.rlhf4j.trainers.pipeline;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What later stages chain from: the current policy (the newest policy stage's output that has not
 * been rolled back), the newest reward model and every finished stage's output folder.
 */
public final class PipelineState {

    /** A policy stage that produced the current policy, and the model it started from. */
    private record PolicyStep(String stage, String input, String output) {
    }

    private final Deque<PolicyStep> policies = new ArrayDeque<>();
    private final Map<String, String> outputs = new HashMap<>();
    private String startPolicy;
    private String rewardModel;

    /** The current policy folder, or null before any policy stage ran. */
    public String policy() {
        return policies.isEmpty() ? startPolicy : policies.peek().output();
    }

    /** The newest rm stage's output, or null. */
    public String rewardModel() {
        return rewardModel;
    }

    public Optional<String> outputOf(String stage) {
        return Optional.ofNullable(outputs.get(stage));
    }

    /** A policy stage finished: its output becomes the current policy. */
    public void policyTrained(String stage, String input, String output) {
        outputs.put(stage, output);
        policies.push(new PolicyStep(stage, input, output));
    }

    public void rewardModelTrained(String stage, String output) {
        outputs.put(stage, output);
        rewardModel = output;
    }

    /** A process reward model was trained: its folder is {@code ${stages.<name>.output_dir}}. */
    public void processRewardModelTrained(String stage, String output) {
        outputs.put(stage, output);
    }

    public void evaluated(String stage, String output) {
        outputs.put(stage, output);
    }

    /**
     * Rolls back the newest live policy stage: the current policy becomes the model it started
     * from. Returns the stage rolled back; empty when no policy stage is live.
     */
    public Optional<String> rollback() {
        if (policies.isEmpty()) {
            return Optional.empty();
        }
        PolicyStep undone = policies.pop();
        if (policies.isEmpty()) {
            startPolicy = undone.input();
        }
        return Optional.of(undone.stage());
    }
}
