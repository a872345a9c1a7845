package io.rlhf4j.nn.generation;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import java.util.List;

/**
 * Picks each row's next token from its logits [B, V]: greedy takes the argmax (the lowest id on
 * ties, like torch.argmax); sampling applies the config's warpers and draws from softmax of the
 * result with {@link Generator#categorical}, as transformers draws with torch.multinomial.
 */
public final class TokenChooser {

    private final List<LogitsProcessor> warpers;
    private final Generator generator;

    private TokenChooser(List<LogitsProcessor> warpers, Generator generator) {
        this.warpers = warpers;
        this.generator = generator;
    }

    /** Greedy when {@code config.doSample()} is false; otherwise samples from {@code generator}. */
    public static TokenChooser of(GenerationConfig config, Generator generator) {
        if (config.doSample() && generator == null) {
            throw new IllegalArgumentException("do_sample = true needs a Generator to draw tokens from");
        }
        return new TokenChooser(LogitsProcessor.warpers(config), config.doSample() ? generator : null);
    }

    /** The next token of every row. */
    public long[] next(Tensor logits) {
        if (generator == null) {
            return logits.argmax(1, false).toLongArray();
        }
        return generator.categorical(LogitsProcessor.applyAll(warpers, logits), 1, true).toLongArray();
    }
}
