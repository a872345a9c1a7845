package io.rlhf4j.trainers.grpo;

import io.rlhf4j.trainers.data.DataPosition;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.GRPOExample;
import java.util.List;
import java.util.OptionalLong;

/**
 * The prompts as the shared loop's schedule sees them: TRL's RepeatSampler yields each prompt
 * num_generations times (mini_repeat_count) and each generation batch num_iterations times
 * (repeat_count), so an epoch of N prompts is N × num_generations × num_iterations training
 * samples. Everything else (batches of distinct prompts, position, resume) is the wrapped source's.
 */
public final class PromptSource implements DataSource<GRPOExample> {

    private final DataSource<GRPOExample> prompts;
    private final long samplesPerPrompt;

    public PromptSource(DataSource<GRPOExample> prompts, long samplesPerPrompt) {
        this.prompts = prompts;
        this.samplesPerPrompt = samplesPerPrompt;
    }

    @Override
    public OptionalLong size() {
        OptionalLong n = prompts.size();
        return n.isPresent() ? OptionalLong.of(n.getAsLong() * samplesPerPrompt) : n;
    }

    @Override
    public List<GRPOExample> nextBatch(int batchSize) {
        return prompts.nextBatch(batchSize);
    }

    @Override
    public boolean epochFinished() {
        return prompts.epochFinished();
    }

    @Override
    public DataPosition position() {
        return prompts.position();
    }

    @Override
    public void resume(DataPosition position) {
        prompts.resume(position);
    }

    @Override
    public double epoch() {
        return prompts.epoch();
    }
}
