package io.rlhf4j.trainers.pipeline;

import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.config.PRMConfig;
import io.rlhf4j.trainers.config.KTOConfig;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.eval.EvalConfig;
import java.util.Arrays;
import java.util.Locale;

/**
 * The kinds of pipeline stage and the config class each reads. Policy stages train the policy
 * (their output becomes the next stage's starting model); rm trains a reward model, prm a process
 * reward model; eval measures and gates the current policy.
 */
public enum StageType {
    SFT(SFTConfig.class, true),
    RM(RewardConfig.class, false),
    PRM(PRMConfig.class, false),
    DPO(DPOConfig.class, true),
    SIMPO(SimPOConfig.class, true),
    KTO(KTOConfig.class, true),
    GRPO(GRPOConfig.class, true),
    PPO(PPOConfig.class, true),
    EVAL(EvalConfig.class, false);

    private final Class<? extends BaseConfig> configClass;
    private final boolean policy;

    StageType(Class<? extends BaseConfig> configClass, boolean policy) {
        this.configClass = configClass;
        this.policy = policy;
    }

    public Class<? extends BaseConfig> configClass() {
        return configClass;
    }

    /** Whether the stage trains the policy. */
    public boolean isPolicy() {
        return policy;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code key} (sft, rm, ...); an unknown name is an error listing the known ones. */
    public static StageType of(String key) {
        for (StageType t : values()) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown stage type '" + key + "'; known types are "
                + Arrays.stream(values()).map(StageType::key).toList());
    }
}
