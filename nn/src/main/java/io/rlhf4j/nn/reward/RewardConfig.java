package io.rlhf4j.nn.reward;

/**
 * What a {@link RewardModel} adds to its backbone's config.json; saved as reward_config.json.
 *
 * @param headType      the MLP head of the specification or transformers' score layer
 * @param pooling       how hidden states become one vector per sequence
 * @param headInnerSize the MLP head's inner width I (its first Linear is H → I); 0 means the
 *                      backbone's hidden size H. Ignored by the score head.
 * @param headDropout   the dropout probability between the MLP head's layers (active in training
 *                      mode only). Ignored by the score head.
 */
public record RewardConfig(HeadType headType, Pooling pooling, int headInnerSize, double headDropout) {

    /** The dropout of a default MLP head (torch's nn.Dropout default and transformers' usual classifier dropout). */
    public static final double DEFAULT_DROPOUT = 0.1;

    public RewardConfig {
        if (headType == null || pooling == null) {
            throw new IllegalArgumentException("headType and pooling are required");
        }
        if (headInnerSize < 0) {
            throw new IllegalArgumentException("headInnerSize must be >= 0 (0 = hidden size), got " + headInnerSize);
        }
        if (!(headDropout >= 0 && headDropout < 1)) {
            throw new IllegalArgumentException("headDropout must be in [0, 1), got " + headDropout);
        }
    }

    /** The specification's default: MLP head of width H, dropout 0.1, last-token pooling. */
    public static RewardConfig mlp() {
        return new RewardConfig(HeadType.MLP, Pooling.LAST_TOKEN, 0, DEFAULT_DROPOUT);
    }

    /** transformers' sequence-classification layout: score Linear(H, 1), last-token pooling. */
    public static RewardConfig score() {
        return new RewardConfig(HeadType.SCORE, Pooling.LAST_TOKEN, 0, 0);
    }

    public RewardConfig withPooling(Pooling p) {
        return new RewardConfig(headType, p, headInnerSize, headDropout);
    }

    public RewardConfig withHeadDropout(double p) {
        return new RewardConfig(headType, pooling, headInnerSize, p);
    }

    public RewardConfig withHeadInnerSize(int size) {
        return new RewardConfig(headType, pooling, size, headDropout);
    }

    /** The MLP head's inner width for a backbone of hidden size {@code hidden}. */
    public int innerSize(int hidden) {
        return headInnerSize == 0 ? hidden : headInnerSize;
    }
}
