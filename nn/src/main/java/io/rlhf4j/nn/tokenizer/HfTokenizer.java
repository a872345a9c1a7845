package io.rlhf4j.nn.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/**
 * A Hugging Face tokenizer folder: tokenizer.json (run by the Rust {@code tokenizers} library through
 * DJL, offline) plus tokenizer_config.json, special_tokens_map.json and generation_config.json.
 * Encoding never truncates or pads; decoding applies {@code clean_up_tokenization_spaces} as
 * transformers does.
 */
public final class HfTokenizer implements AutoCloseable {
    private final Path folder;
    private final HuggingFaceTokenizer rust;
    private final TokenizerConfig config;
    private final Vocabulary vocabulary;
    private final SpecialTokens specialTokens;

    private HfTokenizer(Path folder, HuggingFaceTokenizer rust, TokenizerConfig config, Vocabulary vocabulary) {
        this.folder = folder;
        this.rust = rust;
        this.config = config;
        this.vocabulary = vocabulary;
        long eosId = vocabulary.idOf(config.eos());
        List<Long> eosIds = config.generationEosIds() != null ? config.generationEosIds()
                : eosId >= 0 ? List.of(eosId) : List.of();
        this.specialTokens = new SpecialTokens(config.bos(), config.eos(), config.pad(), config.unk(),
                vocabulary.idOf(config.bos()), eosId, vocabulary.idOf(config.pad()), vocabulary.idOf(config.unk()), eosIds);
    }

    /** Loads a tokenizer folder; DJL's native library goes to {@code -Drlhf4j.native.dir} or java.io.tmpdir. */
    public static HfTokenizer load(Path folder) {
        return load(folder, null);
    }

    /**
     * Loads a tokenizer folder.
     *
     * @param nativeDir where DJL extracts its native library; only the first load in a JVM decides it
     */
    public static HfTokenizer load(Path folder, Path nativeDir) {
        Path json = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new TokenizerException(folder + ": no tokenizer.json (only the fast-tokenizer format is supported)");
        }
        TokenizerConfig config = TokenizerConfig.read(folder);
        Vocabulary vocabulary = Vocabulary.read(json, config.bos(), config.eos(), config.pad(), config.unk());
        DjlNative.configure(nativeDir);
        try {
            HuggingFaceTokenizer rust = HuggingFaceTokenizer.newInstance(json,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new HfTokenizer(folder, rust, config, vocabulary);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException("cannot load " + json + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}; {@code addSpecialTokens} applies tokenizer.json's post-processor (BOS etc.). */
    public long[] encode(String text, boolean addSpecialTokens) {
        return rust.encode(text, addSpecialTokens, false).getIds();
    }

    /** Token ids of each text, unpadded (rows have their own lengths). */
    public long[][] encodeBatch(List<String> texts, boolean addSpecialTokens) {
        Encoding[] encodings = rust.batchEncode(texts.toArray(String[]::new), addSpecialTokens, false);
        long[][] out = new long[encodings.length][];
        for (int i = 0; i < encodings.length; i++) {
            out[i] = encodings[i].getIds();
        }
        return out;
    }

    /** The text of {@code ids}, like transformers' {@code tokenizer.decode(ids, skip_special_tokens=...)}. */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        for (long id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("decode: negative token id " + id);
            }
        }
        String text = ids.length == 0 ? "" : rust.decode(ids, skipSpecialTokens);
        return config.cleanUpTokenizationSpaces() ? cleanUpTokenizationSpaces(text) : text;
    }

    /** transformers' {@code clean_up_tokenization} (tokenization_utils_base.py). */
    static String cleanUpTokenizationSpaces(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** A decoder that turns ids into text one at a time, holding back incomplete UTF-8 characters. */
    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    /** The id of a token that tokenizer.json lists as an added token, or -1. */
    public long addedTokenId(String token) {
        return vocabulary.addedTokens().getOrDefault(token, -1L);
    }

    /** Number of token ids, added tokens included ({@code len(tokenizer)} in transformers). */
    public int vocabSize() {
        return vocabulary.size();
    }

    /** The default chat template (a plain {@code chat_template}, or the entry named "default"). */
    public Optional<ChatTemplate> chatTemplate() {
        return chatTemplate("default");
    }

    /** A named chat template of the list form ({@code [{"name": ..., "template": ...}]}). */
    public Optional<ChatTemplate> chatTemplate(String name) {
        return Optional.ofNullable(config.chatTemplates().get(name)).map(ChatTemplate::of);
    }

    /**
     * {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=..., **kwargs)} with the
     * default template; the named special tokens are template variables, kwargs override them.
     */
    public String applyChatTemplate(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                                    Map<String, ?> kwargs) {
        ChatTemplate template = chatTemplate().orElseThrow(() -> new TokenizerException(
                folder.resolve("tokenizer_config.json") + ": no chat_template (and no chat_template.jinja)"));
        Map<String, Object> variables = new java.util.LinkedHashMap<>(specialTokens.templateVariables());
        variables.putAll(kwargs);
        return template.render(messages, addGenerationPrompt, variables);
    }

    @Override
    public void close() {
        rust.close();
    }
}
