package io.rlhf4j.cli;

import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.inference.SpeculativeDecoder;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.policy.PolicyModel;
import io.rlhf4j.nn.tokenizer.ChatTemplateException;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.nn.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlhf4j generate --model DIR --prompt TEXT [--chat] ...}: prints the model's continuation
 * of one prompt as it is generated, then a summary line on stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text from a prompt, printing it as it is produced.",
            "Settings the options leave unset come from the model's generation_config.json (do_sample, temperature,"
                    + " top_p, top_k, eos_token_id, max_new_tokens), as in transformers. The continuation goes to"
                    + " stdout; a summary (tokens, tokens/s, finish reason) to stderr."})
final class GenerateCommand implements Callable<Integer> {

    /** transformers' text-generation pipeline default when generation_config.json sets no max_new_tokens. */
    static final int DEFAULT_MAX_NEW_TOKENS = 256;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder with its tokenizer (tokenizer.json, tokenizer_config.json).")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = "--chat", description = "Render the prompt as a user message through the chat template,"
            + " with the assistant's generation prompt.")
    boolean chat;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before the prompt (with --chat).")
    String system;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Tokens to generate at most"
            + " (default: generation_config.json's max_new_tokens, else " + DEFAULT_MAX_NEW_TOKENS + "; at most"
            + " max_position_embeddings minus the prompt's tokens).")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Sample at temperature T > 0; 0 decodes greedily (default: generation_config.json).")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "Sample from the smallest set of most likely"
            + " tokens whose probability reaches P (default: generation_config.json, else 1).")
    Double topP;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens, 0 = all"
            + " (default: generation_config.json, else 50).")
    Integer topK;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the sampling (default: a random seed,"
            + " printed in the summary).")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR", description = "Stop once the generated text contains STR"
            + " (repeatable; STR is printed).")
    List<String> stops = new ArrayList<>();

    @Option(names = "--draft-model", paramLabel = "DIR", description = "Speculative decoding: this smaller model"
            + " (same vocabulary) drafts " + DRAFT_TOKENS + " tokens per round and the model verifies them in one"
            + " forward. The output is distributed as without it (identical when greedy); the text is printed at the"
            + " end, with the draft acceptance rate in the summary. Not with --stop.")
    Path draftModel;

    /** Draft tokens per speculative round (gamma). */
    static final int DRAFT_TOKENS = 4;

    @Override
    public Integer call() {
        if (system != null && !chat) {
            throw new Main.UserError("--system needs --chat (the system message goes through the chat template)");
        }
        try (ModelFolder folder = ModelFolder.load(model)) {
            HfTokenizer tokenizer = folder.tokenizer();
            long[] ids = promptIds(tokenizer);
            GenerationConfig config = config(folder.generationConfig(), ids.length,
                    folder.policy().model().config().maxPositionEmbeddings());
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            if (draftModel != null) {
                return speculative(folder, ids, config, out);
            }
            TextStreamer streamer = new TextStreamer(tokenizer.streamingDecoder(true), out);
            long start = System.nanoTime();
            GenerationResult result = folder.policy().generate(PromptBatch.leftPad(List.of(ids),
                    config.effectivePadTokenId()), config, Generator.seed(config.seed()),
                    generated -> tokenizer.decode(generated, false), streamer);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println();
            out.flush();
            System.err.println(summary(result, seconds, config));
            return 0;
        }
    }

    private int speculative(ModelFolder folder, long[] ids, GenerationConfig config, PrintStream out) {
        if (!stops.isEmpty()) {
            throw new Main.UserError("--draft-model cannot be combined with --stop");
        }
        PolicyModel draft;
        try {
            draft = PolicyModel.fromPretrained(draftModel);
        } catch (IOException | IllegalArgumentException e) {
            throw new Main.UserError("--draft-model " + draftModel + ": cannot load the model: " + e.getMessage());
        }
        SpeculativeDecoder decoder;
        try {
            decoder = new SpeculativeDecoder(folder.policy().model(), draft.model(), DRAFT_TOKENS);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--draft-model " + draftModel + ": " + e.getMessage());
        }
        long start = System.nanoTime();
        SpeculativeDecoder.Result result = decoder.generate(ids, config.withStopStrings(List.of()),
                Generator.seed(config.seed()));
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println(folder.tokenizer().decode(result.tokens(), true));
        out.flush();
        int tokens = result.tokens().length;
        System.err.println(String.format(Locale.ROOT, "generate: %d tokens in %.2f s (%.1f tokens/s), finish reason:"
                + " %s%s, draft acceptance %.2f (%d of %d), %d target forwards", tokens, seconds,
                tokens / Math.max(seconds, 1e-9), result.finishReason().name().toLowerCase(Locale.ROOT),
                config.doSample() ? ", seed " + config.seed() : ", greedy", result.acceptanceRate(), result.accepted(),
                result.proposed(), result.rounds()));
        return 0;
    }

    /** The prompt's token ids: encoded with special tokens, or rendered through the chat template. */
    long[] promptIds(HfTokenizer tokenizer) {
        if (!chat) {
            return nonEmpty(tokenizer.encode(prompt, true));
        }
        List<Map<String, String>> messages = new ArrayList<>();
        if (system != null) {
            messages.add(Map.of("role", "system", "content", system));
        }
        messages.add(Map.of("role", "user", "content", prompt));
        try {
            // apply_chat_template(tokenize=True) encodes the rendered text without adding special tokens.
            return nonEmpty(tokenizer.encode(tokenizer.applyChatTemplate(messages, true, Map.of()), false));
        } catch (TokenizerException | ChatTemplateException e) {
            throw new Main.UserError("--chat: " + e.getMessage());
        }
    }

    private static long[] nonEmpty(long[] ids) {
        if (ids.length == 0) {
            throw new Main.UserError("--prompt encodes to no tokens; give a non-empty prompt");
        }
        return ids;
    }

    /** The model's settings overridden by the options; new tokens capped so positions stay in range. */
    GenerationConfig config(GenerationConfig base, int promptTokens, int maxPositions) {
        if (promptTokens >= maxPositions) {
            throw new Main.UserError("--prompt has " + promptTokens + " tokens; the model takes at most "
                    + maxPositions + " positions (max_position_embeddings)");
        }
        try {
            GenerationConfig c = base;
            if (temperature != null) {
                if (temperature < 0) {
                    throw new Main.UserError("--temperature must be >= 0 (0 = greedy), got " + temperature);
                }
                c = temperature == 0 ? c.withDoSample(false) : c.withDoSample(true).withTemperature(temperature);
            }
            c = topP == null ? c : c.withTopP(topP);
            c = topK == null ? c : c.withTopK(topK);
            c = stops.isEmpty() ? c : c.withStopStrings(stops);
            int wanted = maxNewTokens != null ? maxNewTokens
                    : base.maxNewTokens() != null ? base.maxNewTokens() : DEFAULT_MAX_NEW_TOKENS;
            c = c.withMaxNewTokens(Math.min(wanted, maxPositions - promptTokens));
            return c.withSeed(seed != null ? seed : ThreadLocalRandom.current().nextLong());
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    private static String summary(GenerationResult result, double seconds, GenerationConfig config) {
        int tokens = result.generated().getFirst().length;
        String reason = result.finishReasons().getFirst().name().toLowerCase(Locale.ROOT);
        return String.format(Locale.ROOT, "generate: %d tokens in %.2f s (%.1f tokens/s), finish reason: %s%s",
                tokens, seconds, tokens / Math.max(seconds, 1e-9), reason,
                config.doSample() ? ", seed " + config.seed() : ", greedy");
    }
}
