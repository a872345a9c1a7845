package io.rlhf4j.trainers.config;

/** The length rules shared by the stages that tokenize prompt and response separately. */
final class PreferenceLengths {

    private PreferenceLengths() {
    }

    static void validate(Validator v, Integer maxLength, Integer maxPromptLength, String truncationMode) {
        if (maxLength != null) {
            v.atLeast("max_length", maxLength, 1);
        }
        if (maxPromptLength != null) {
            v.atLeast("max_prompt_length", maxPromptLength, 1);
            if (maxLength != null && maxPromptLength >= maxLength) {
                v.fail("max_prompt_length", "max_prompt_length (" + maxPromptLength
                        + ") must be < max_length (" + maxLength + ") to leave room for the response");
            }
        }
        if (truncationMode != null) {
            v.oneOf("truncation_mode", truncationMode, SFTConfig.TRUNCATION_MODES);
        }
    }
}
