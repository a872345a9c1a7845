package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.LogitsProcessor;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several causal LMs seen as one, so nn's decoding loop (warpers, stop handling, KV caches) runs
 * an ensemble unchanged: each forward runs every member on the same inputs (each with its own
 * cache) and combines their logits per {@link EnsemblePolicy.Mode}. For voting, the combined
 * scores of the last position are 0 for the winning token and −∞ elsewhere, so greedy decoding
 * and sampling both pick the winner.
 */
final class EnsembleCausalLM implements CausalLM {

    private final List<CausalLM> members;
    private final EnsemblePolicy.Mode mode;
    private final List<LogitsProcessor> warpers;
    private final Generator generator;
    private final Module module;

    /**
     * @param config    the generation config: with do_sample, voting members propose tokens drawn
     *                  from their warped distributions using {@code generator}; otherwise their argmax
     */
    EnsembleCausalLM(List<CausalLM> members, EnsemblePolicy.Mode mode, GenerationConfig config, Generator generator) {
        this.members = List.copyOf(members);
        this.mode = mode;
        boolean sampledVotes = mode == EnsemblePolicy.Mode.VOTING && config != null && config.doSample();
        this.warpers = sampledVotes ? LogitsProcessor.warpers(config) : List.of();
        this.generator = sampledVotes ? generator : null;
        this.module = new Members(this.members);
    }

    @Override
    public ModelConfig config() {
        return members.getFirst().config();
    }

    @Override
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        if (mode == EnsemblePolicy.Mode.VOTING) {
            throw new UnsupportedOperationException("voting ensembles choose tokens at the last position only; "
                    + "use forwardLast (generation) or an averaging mode for full-sequence logits");
        }
        List<Tensor> logits = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            logits.add(members.get(i).forward(inputIds, attentionMask, positionIds, memberCache(cache, i)));
        }
        return average(logits);
    }

    @Override
    public Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        List<Tensor> logits = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            logits.add(members.get(i).forwardLast(inputIds, attentionMask, positionIds, memberCache(cache, i)));
        }
        return mode == EnsemblePolicy.Mode.VOTING ? Voting.scores(logits, warpers, generator) : average(logits);
    }

    /** Mean of the members' logits, or of their log-softmax (the normalised geometric mean of probabilities). */
    private Tensor average(List<Tensor> logits) {
        Tensor sum = null;
        for (Tensor l : logits) {
            Tensor x = mode == EnsemblePolicy.Mode.AVERAGE_LOG_PROBS ? l.logSoftmax(-1) : l;
            sum = sum == null ? x : sum.add(x);
        }
        return sum.div(logits.size());
    }

    private static KvCache memberCache(KvCache cache, int i) {
        if (cache == null) {
            return null;
        }
        if (!(cache instanceof EnsembleKvCache e)) {
            throw new IllegalArgumentException("an ensemble needs the cache from its own newKvCache, got "
                    + cache.getClass().getSimpleName());
        }
        return e.member(i);
    }

    @Override
    public KvCache newKvCache(int batch, int capacity) {
        return new EnsembleKvCache(members.stream().map(m -> m.newKvCache(batch, capacity)).toList());
    }

    @Override
    public void save(Path directory) {
        throw new UnsupportedOperationException("an ensemble has no single set of weights to save; merge its members "
                + "with ModelMerger or ModelSoup to get one model");
    }

    @Override
    public Module module() {
        return module;
    }

    /** The members' modules as children member0, member1, …, so train/eval reach every member. */
    private static final class Members extends Module {

        Members(List<CausalLM> members) {
            boolean[] training = new boolean[members.size()];
            for (int i = 0; i < members.size(); i++) {
                training[i] = members.get(i).module().isTraining();
            }
            for (int i = 0; i < members.size(); i++) {
                registerModule("member" + i, members.get(i).module());
                members.get(i).module().train(training[i]);
            }
        }
    }
}
