package io.rlhf4j.nn.generation;

/** Why a row stopped generating. */
public enum FinishReason {
    /** It emitted one of the EOS ids (kept as its last token). */
    EOS,
    /** Its generated text came to contain a stop string. */
    STOP_STRING,
    /** It reached the new-token limit. */
    LENGTH
}
