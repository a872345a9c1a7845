package io.rlhf4j.nn.reward;

import java.util.Arrays;

/** The two reward heads a {@link RewardModel} can carry. */
public enum HeadType {

    /**
     * The specification's head, {@link MlpRewardHead}: Linear → GELU → Dropout → Linear, saved in
     * its own reward_head.safetensors beside the backbone (transformers' AutoModel layout).
     */
    MLP("mlp"),

    /**
     * transformers' *ForSequenceClassification with num_labels 1: one bias-free Linear(H, 1)
     * named {@code score}, saved with the backbone in one checkpoint that transformers loads
     * unchanged (the layout of most published reward models).
     */
    SCORE("score");

    private final String jsonName;

    HeadType(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static HeadType fromJsonName(String name) {
        for (HeadType t : values()) {
            if (t.jsonName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("head_type must be one of "
                + Arrays.stream(values()).map(HeadType::jsonName).toList() + ", got \"" + name + "\"");
    }
}
