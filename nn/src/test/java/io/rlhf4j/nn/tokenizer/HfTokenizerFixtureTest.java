package io.rlhf4j.nn.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** Real Qwen3 and GPT-2 tokenizers against ids and texts that transformers produced (encode.json). */
class HfTokenizerFixtureTest {
    private static HfTokenizer qwen3;
    private static HfTokenizer gpt2;

    @BeforeAll
    static void load() {
        qwen3 = HfTokenizer.load(Fixtures.tokenizerFolder("qwen3"));
        gpt2 = HfTokenizer.load(Fixtures.tokenizerFolder("gpt2"));
    }

    @AfterAll
    static void close() {
        qwen3.close();
        gpt2.close();
    }

    static HfTokenizer tokenizer(String name) {
        return name.equals("qwen3") ? qwen3 : gpt2;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String name : List.of("qwen3", "gpt2")) {
            int i = 0;
            for (JsonNode c : Fixtures.json("tokenizers/" + name + "/encode.json").get("cases")) {
                out.add(Arguments.of(name, i++, c));
            }
        }
        return out.stream();
    }

    static long[] ids(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    @ParameterizedTest(name = "{0} case {1}")
    @MethodSource("cases")
    void encodesAndDecodesLikeTransformers(String name, int index, JsonNode c) {
        HfTokenizer tok = tokenizer(name);
        String text = c.get("text").asText();
        long[] expected = ids(c.get("ids"));
        assertThat(tok.encode(text, true)).as("ids of %s", text).containsExactly(expected);
        assertThat(tok.encode(text, false)).containsExactly(ids(c.get("ids_no_special")));
        assertThat(tok.decode(expected, false)).isEqualTo(c.get("decode").asText());
        assertThat(tok.decode(expected, true)).isEqualTo(c.get("decode_skip_special").asText());
    }

    @ParameterizedTest(name = "{0} case {1}")
    @MethodSource("cases")
    void streamingDecodeConcatenatesToFullDecode(String name, int index, JsonNode c) {
        HfTokenizer tok = tokenizer(name);
        long[] ids = ids(c.get("ids"));
        StreamingDecoder stream = tok.streamingDecoder(false);
        StringBuilder out = new StringBuilder();
        for (long id : ids) {
            String piece = stream.push(id);
            assertThat(piece).as("piece of a text without U+FFFD").doesNotContain("\uFFFD");
            out.append(piece);
        }
        out.append(stream.flush());
        assertThat(out.toString()).isEqualTo(c.get("decode").asText());
    }

    @Test
    void streamingHoldsBackPartialCharacters() {
        String melting = "\uD83E\uDEE0"; // U+1FAE0, three byte-level tokens in Qwen3, each alone decodes to U+FFFD
        long[] ids = qwen3.encode(melting, false);
        assertThat(ids.length).isEqualTo(3);
        assertThat(qwen3.decode(new long[] {ids[0]}, false)).isEqualTo("\uFFFD");
        StreamingDecoder stream = qwen3.streamingDecoder(false);
        for (int i = 0; i < ids.length - 1; i++) {
            assertThat(stream.push(ids[i])).isEmpty();
        }
        assertThat(stream.push(ids[ids.length - 1])).isEqualTo(melting);
        assertThat(stream.flush()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "gpt2"})
    void batchSpecialTokensAndVocabSizeMatchTransformers(String name) {
        HfTokenizer tok = tokenizer(name);
        JsonNode fixture = Fixtures.json("tokenizers/" + name + "/encode.json");
        List<String> texts = new ArrayList<>();
        fixture.get("batch").get("texts").forEach(t -> texts.add(t.asText()));
        long[][] batch = tok.encodeBatch(texts, true);
        assertThat(batch.length).isEqualTo(texts.size());
        for (int i = 0; i < batch.length; i++) {
            assertThat(batch[i]).containsExactly(ids(fixture.get("batch").get("ids").get(i)));
        }
        assertThat(tok.vocabSize()).isEqualTo(fixture.get("vocab_size").asInt());
        SpecialTokens special = tok.specialTokens();
        assertThat(special.bosId()).isEqualTo(fixture.get("bos_token_id").asLong(-1));
        assertThat(special.eosId()).isEqualTo(fixture.get("eos_token_id").asLong(-1));
        assertThat(special.padId()).isEqualTo(fixture.get("pad_token_id").asLong(-1));
        assertThat(special.unkId()).isEqualTo(fixture.get("unk_token_id").asLong(-1));
        assertThat(special.eosIds()).containsExactly(fixture.get("eos_token_id").asLong());
    }

    @Test
    void appliesItsOwnChatTemplateWithSpecialTokens() {
        JsonNode c = Fixtures.json("tokenizers/chat_templates.json").get("cases").get(2);
        assertThat(c.get("template").asText()).isEqualTo("qwen3");
        List<java.util.Map<String, Object>> messages = Fixtures.JSON.convertValue(c.get("messages"),
                new com.fasterxml.jackson.core.type.TypeReference<>() {});
        assertThat(qwen3.applyChatTemplate(messages, c.get("add_generation_prompt").asBoolean(), java.util.Map.of()))
                .isEqualTo(c.get("expected").asText());
        assertThat(gpt2.chatTemplate()).isEmpty();
    }
}
