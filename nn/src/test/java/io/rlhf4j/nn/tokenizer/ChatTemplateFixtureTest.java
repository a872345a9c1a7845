package io.rlhf4j.nn.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

/** Every case of chat_templates.json, rendered by transformers' apply_chat_template, byte for byte. */
class ChatTemplateFixtureTest {

    static Stream<Arguments> cases() {
        JsonNode fixture = Fixtures.json("tokenizers/chat_templates.json");
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : fixture.get("cases")) {
            out.add(Arguments.of(c.get("template").asText(), c.get("title").asText(), c));
        }
        return out.stream();
    }

    private static String templateSource(String name) {
        if (name.equals("qwen3")) {
            return Fixtures.json("tokenizers/qwen3/tokenizer_config.json").get("chat_template").asText();
        }
        return Fixtures.text("tokenizers/templates/" + name + ".jinja");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void rendersLikeTransformers(String template, String title, JsonNode c) {
        List<Map<String, Object>> messages = Fixtures.JSON.convertValue(c.get("messages"), new TypeReference<>() {});
        Map<String, Object> kwargs = Fixtures.JSON.convertValue(c.get("kwargs"), new TypeReference<>() {});
        if (template.equals("qwen3")) {
            kwargs.putIfAbsent("eos_token", "<|im_end|>");
            kwargs.putIfAbsent("pad_token", "<|endoftext|>");
        }
        String source = template.equals("tojson") ? c.get("template_source").asText() : templateSource(template);
        String rendered = ChatTemplate.of(source)
                .render(messages, c.get("add_generation_prompt").asBoolean(), kwargs);
        assertThat(rendered).isEqualTo(c.get("expected").asText());
    }
}
