package io.rlhf4j.nn.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.rlhf4j.nn.tokenizer.jinja.JinjaFunctions;

/** Behaviours of the Jinjava adaptation that the transformers fixtures do not reach. */
class ChatTemplateTest {
    private static final List<Map<String, Object>> USER = List.of(Map.of("role", "user", "content", "hi"));

    @Test
    void messageContentIsNeverInterpreted() {
        var messages = List.of(Map.<String, Object>of("role", "user", "content", "{{ not jinja }}{{ 7 * 6 }}"));
        assertThat(ChatTemplate.of("{{ messages[0].content }}").render(messages, false))
                .isEqualTo("{{ not jinja }}{{ 7 * 6 }}");
    }

    @Test
    void raiseExceptionFailsTheRender() {
        ChatTemplate t = ChatTemplate.of("{{ raise_exception('Only user and assistant roles are supported') }}");
        assertThatThrownBy(() -> t.render(USER, false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Only user and assistant roles are supported");
    }

    @Test
    void fatalJinjavaErrorsThrowInsteadOfRenderingPartially() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.role }}").render(USER, false))
                .isInstanceOf(ChatTemplateException.class);
    }

    @Test
    void strftimeNowFormatsTodayLikePython() {
        LocalDate today = LocalDate.now();
        String rendered = ChatTemplate.of("{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }}{% endif %}")
                .render(USER, false);
        String expectedToday = JinjaFunctions.strftime(today.atStartOfDay(), "%d %b %Y");
        assertThat(rendered).isEqualTo(expectedToday);
        assertThat(JinjaFunctions.strftime(LocalDateTime.of(2024, 7, 6, 15, 4, 5), "%d %b %Y %H:%M:%S %a %B %I%p %j %%"))
                .isEqualTo("06 Jul 2024 15:04:05 Sat July 03PM 188 %");
    }

    @Test
    void namespaceWithExpressionArgumentsAndReversedSlices() {
        var messages = List.of(Map.<String, Object>of("role", "user", "content", "a"),
                Map.<String, Object>of("role", "assistant", "content", "b"),
                Map.<String, Object>of("role", "user", "content", "c"));
        String t = "{%- set ns = namespace(last=messages|length - 1, seen=false) %}"
                + "{%- for m in messages[::-1] %}{{ m.content }}{% endfor %}|{{ ns.last }}|{{ 'seen' if ns.seen else 'unseen' }}";
        assertThat(ChatTemplate.of(t).render(messages, false)).isEqualTo("cba|2|unseen");
    }

    @Test
    void pythonStringMethodsKeepPythonSemantics() {
        var messages = List.of(Map.<String, Object>of("role", "user", "content", "<think>\nx\n</think>\n\nanswer\u00a0"));
        String t = "{{ messages[0].content.split('</think>')|length }}|{{ messages[0].content.split('</think>')[-1].lstrip('\\n') }}|"
                + "{{ 'a,b,,'.split(',')|length }}|{{ messages[0].content.strip()[-6:] }}|{{ 'xxhixx'.strip('x') }}|"
                + "{{ 'hello world'.title() }}|{{ 'y' if messages[0].content.startswith('<think>') else 'n' }}";
        assertThat(ChatTemplate.of(t).render(messages, false))
                .isEqualTo("2|answer\u00a0|4|answer|hi|Hello World|y");
    }

    @Test
    void oneTrailingNewlineOfTheTemplateIsDroppedLikeJinja2() {
        assertThat(ChatTemplate.of("x\n\n").render(USER, false)).isEqualTo("x\n");
        assertThat(ChatTemplate.of("x\r\ny\n").render(USER, false)).isEqualTo("x\ny");
    }

    @Test
    void generationTagRendersItsBody() {
        assertThat(ChatTemplate.of("a{% generation %}{{ messages[0].content }}{% endgeneration %}b").render(USER, false))
                .isEqualTo("ahib");
    }

    @Test
    void rejectsEmptySource() {
        assertThatThrownBy(() -> ChatTemplate.of("")).isInstanceOf(IllegalArgumentException.class);
    }
}
