package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/** Supervised fine-tuning. Names and defaults from trl 1.13, trl/trainer/sft_config.py. */
public class SFTConfig extends BaseConfig {

    public static final Set<String> TRUNCATION_MODES = Set.of("keep_start", "keep_end");

    /** Tokens per sequence (prompt + response) after truncation; null keeps whole records. */
    @JsonProperty("max_length")
    public Integer maxLength = 1024;

    /**
     * Train only on the response (prompt labels set to -100). TRL's null means "true when the
     * records have a prompt", which SFT records here always have.
     */
    @JsonProperty("completion_only_loss")
    public Boolean completionOnlyLoss = null;

    /** Packing several records into one sequence; only false is supported for now. */
    @JsonProperty("packing")
    public boolean packing = false;

    /** The field holding the full text, for records that have no prompt/response split. */
    @JsonProperty("dataset_text_field")
    public String datasetTextField = "text";

    /** keep_start drops tokens from the end of an over-long sequence, keep_end from its start. */
    @JsonProperty("truncation_mode")
    public String truncationMode = "keep_start";

    /**
     * For {@code messages} records: train only on assistant turns. TRL defaults to false (and needs
     * {@code {% generation %}} in the template); rlhf4j defaults to true and finds the turns by
     * rendering prefixes (see data.ChatLabels). false trains on every token of the conversation.
     */
    @JsonProperty("assistant_only_loss")
    public boolean assistantOnlyLoss = true;

    public SFTConfig() {
        learningRate = 2e-5;
    }

    @Override
    public String stage() {
        return "sft";
    }

    /** Whether prompt tokens are masked out of the loss. */
    public boolean masksPrompt() {
        return completionOnlyLoss == null || completionOnlyLoss;
    }

    @Override
    protected void validate(Validator v) {
        super.validate(v);
        if (maxLength != null) {
            v.atLeast("max_length", maxLength, 1);
        }
        if (packing) {
            v.fail("packing", "packing is not supported yet: set packing: false");
        }
        if (datasetTextField == null || datasetTextField.isBlank()) {
            v.fail("dataset_text_field", "dataset_text_field must name a field, got "
                    + (datasetTextField == null ? "null" : "''"));
        }
        v.oneOf("truncation_mode", truncationMode, TRUNCATION_MODES);
    }
}
