package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Process reward model training (token classification on step separators). Names and defaults
 * from trl 1.13, trl/experimental/prm/prm_config.py (learning_rate 1e-5, max_length 1024,
 * max_completion_length None, step_separator "\n", train_on_last_step_only false,
 * disable_dropout true); TRL's dataset_num_proc has no counterpart.
 */
public class PRMConfig extends BaseConfig {

    /** Longest prompt + completion in tokens, cut at the end (null: no limit). */
    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    /** Longest completion (all steps with their separators) in tokens, cut at the end (null: no limit). */
    @JsonProperty("max_completion_length")
    public Integer maxCompletionLength = null;

    /** Follows every step; the step's label sits on its last token. */
    @JsonProperty("step_separator")
    public String stepSeparator = "\n";

    /** Train on the last step's label only (every step is still labelled in evaluation). */
    @JsonProperty("train_on_last_step_only")
    public boolean trainOnLastStepOnly = false;

    /** TRL's default; the token-classification head has no dropout in rlhf4j, so only true is accepted. */
    @JsonProperty("disable_dropout")
    public boolean disableDropout = true;

    public PRMConfig() {
        learningRate = 1e-5;
    }

    @Override
    public String stage() {
        return "prm";
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        if (maxLength != null) {
            v.atLeast("max_length", maxLength, 1);
        }
        if (maxCompletionLength != null) {
            v.atLeast("max_completion_length", maxCompletionLength, 1);
        }
        if (stepSeparator == null || stepSeparator.isEmpty()) {
            v.fail("step_separator", "step_separator must be a non-empty string");
        }
        if (!disableDropout) {
            v.fail("disable_dropout", "the process reward model has no dropout to enable: set disable_dropout: true");
        }
        if (usePeft) {
            v.fail("use_peft", "use_peft is not supported for process reward models yet (LoRA would freeze the"
                    + " token-classification head): set use_peft: false");
        }
    }
}
