package io.rlhf4j.nn.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer_config.json / special_tokens_map.json / generation_config.json in their various spellings. */
class TokenizerConfigTest {
    @TempDir
    Path dir;

    private void write(String file, String json) throws IOException {
        Files.writeString(dir.resolve(file), json);
    }

    @Test
    void readsAddedTokenDictsAndNamedTemplates() throws IOException {
        write("tokenizer_config.json", """
                {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": "</s>", "pad_token": null, "clean_up_tokenization_spaces": true,
                 "chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]}""");
        TokenizerConfig c = TokenizerConfig.read(dir);
        assertThat(c.bos()).isEqualTo("<s>");
        assertThat(c.eos()).isEqualTo("</s>");
        assertThat(c.pad()).isNull();
        assertThat(c.unk()).isNull();
        assertThat(c.cleanUpTokenizationSpaces()).isTrue();
        assertThat(c.chatTemplates()).containsExactly(
                java.util.Map.entry("default", "D"), java.util.Map.entry("tool_use", "T"));
        assertThat(c.generationEosIds()).isNull();
    }

    @Test
    void generationConfigEosMayBeAnIntOrAList() throws IOException {
        write("tokenizer_config.json", "{}");
        write("generation_config.json", "{\"eos_token_id\": [151645, 151643]}");
        assertThat(TokenizerConfig.read(dir).generationEosIds()).containsExactly(151645L, 151643L);
        write("generation_config.json", "{\"eos_token_id\": 2}");
        assertThat(TokenizerConfig.read(dir).generationEosIds()).containsExactly(2L);
    }

    @Test
    void legacySpecialTokensMapAppliesOnlyWithoutAddedTokensDecoder() throws IOException {
        write("tokenizer_config.json", "{\"eos_token\": \"a\"}");
        write("special_tokens_map.json", "{\"eos_token\": {\"content\": \"b\"}, \"unk_token\": \"u\"}");
        assertThat(TokenizerConfig.read(dir).eos()).isEqualTo("b");
        assertThat(TokenizerConfig.read(dir).unk()).isEqualTo("u");
        write("tokenizer_config.json", "{\"eos_token\": \"a\", \"added_tokens_decoder\": {}}");
        assertThat(TokenizerConfig.read(dir).eos()).isEqualTo("a");
    }

    @Test
    void malformedFieldsNameTheFileAndField() throws IOException {
        write("tokenizer_config.json", "{\"bos_token\": 5}");
        assertThatThrownBy(() -> TokenizerConfig.read(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("bos_token");
        write("tokenizer_config.json", "{\"chat_template\": {\"x\": 1}}");
        assertThatThrownBy(() -> TokenizerConfig.read(dir)).hasMessageContaining("chat_template");
        write("tokenizer_config.json", "{}");
        write("generation_config.json", "{\"eos_token_id\": \"x\"}");
        assertThatThrownBy(() -> TokenizerConfig.read(dir))
                .hasMessageContaining("generation_config.json").hasMessageContaining("eos_token_id");
        write("generation_config.json", "{not json");
        assertThatThrownBy(() -> TokenizerConfig.read(dir)).hasMessageContaining("generation_config.json");
    }

    @Test
    void tokenizerUsesGenerationConfigEosIds() throws IOException {
        Path gpt2 = Fixtures.tokenizerFolder("gpt2");
        Files.copy(gpt2.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(gpt2.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        write("generation_config.json", "{\"eos_token_id\": [50256, 198]}");
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertThat(tok.specialTokens().eosId()).isEqualTo(50256L);
            assertThat(tok.specialTokens().eosIds()).containsExactly(50256L, 198L);
            assertThat(tok.addedTokenId("<|endoftext|>")).isEqualTo(50256L);
        }
    }

    @Test
    void missingTokenizerJsonIsAClearError() {
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("tokenizer.json");
    }

    @Test
    void cleanUpMatchesTransformersRules() {
        assertThat(HfTokenizer.cleanUpTokenizationSpaces("Hello , world ! I do n't know . It 's"))
                .isEqualTo("Hello, world! I don't know. It's");
    }
}
