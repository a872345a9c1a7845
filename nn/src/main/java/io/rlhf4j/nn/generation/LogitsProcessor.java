package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Rewrites next-token scores [B, V] before a token is chosen (transformers' LogitsProcessor). */
@FunctionalInterface
public interface LogitsProcessor {

    /** New scores [B, V] (F32) for {@code scores} [B, V]; removed tokens get −∞. */
    Tensor process(Tensor scores);

    /** This processor, then {@code next}. */
    default LogitsProcessor andThen(LogitsProcessor next) {
        return scores -> next.process(process(scores));
    }

    /**
     * The sampling warpers of {@code config} in transformers' order (GenerationMixin
     * ._get_logits_processor): temperature when ≠ 1, top-k when ≠ 0, top-p when < 1. Empty for
     * greedy decoding, which reads the raw logits.
     */
    static List<LogitsProcessor> warpers(GenerationConfig config) {
        List<LogitsProcessor> list = new ArrayList<>();
        if (!config.doSample()) {
            return list;
        }
        if (config.temperature() != 1.0) {
            list.add(new TemperatureLogitsWarper(config.temperature()));
        }
        if (config.topK() != 0) {
            list.add(new TopKLogitsWarper(config.topK()));
        }
        if (config.topP() < 1.0) {
            list.add(new TopPLogitsWarper(config.topP()));
        }
        return list;
    }

    /** Applies {@code processors} in order. */
    static Tensor applyAll(List<LogitsProcessor> processors, Tensor scores) {
        Tensor out = scores;
        for (LogitsProcessor p : processors) {
            out = p.process(out);
        }
        return out;
    }
}
