package io.rlhf4j.nn.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rlhf4j.nn.tokenizer.jinja.JinjaEnvironment;
import io.rlhf4j.nn.tokenizer.jinja.TemplateRewriter;

/**
 * A Jinja chat template (the {@code chat_template} of tokenizer_config.json), rendered like
 * transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...,
 * **kwargs)}: the template sees {@code messages}, {@code tools} and {@code documents} (none),
 * {@code add_generation_prompt}, the tokenizer's named special tokens and the extra keyword arguments
 * (for example {@code enable_thinking} for Qwen3).
 *
 * <p>Message content is data, never template text: {@code {{ ... }}} in a message is printed as written.
 */
public final class ChatTemplate {
    private final String source;
    private final String rewritten;

    private ChatTemplate(String source) {
        this.source = source;
        this.rewritten = TemplateRewriter.rewrite(source);
    }

    /** A template from its Jinja source text. */
    public static ChatTemplate of(String source) {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("chat template source is empty");
        }
        return new ChatTemplate(source);
    }

    /** The Jinja source as given. */
    public String source() {
        return source;
    }

    /**
     * Renders a conversation.
     *
     * @param messages maps with at least {@code role} and {@code content}; other keys (for example
     *     {@code reasoning_content}, {@code tool_calls}) are visible to the template
     * @param addGenerationPrompt append the header that starts the assistant's turn
     * @param kwargs extra template variables; they override special tokens of the same name
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> kwargs) {
        Map<String, Object> bindings = new LinkedHashMap<>();
        bindings.put("messages", copy(messages));
        bindings.put("tools", null);
        bindings.put("documents", null);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        // transformers registers strftime_now as a global, so templates may test "strftime_now is defined".
        bindings.put("strftime_now", "strftime_now");
        for (Map.Entry<String, ?> e : kwargs.entrySet()) {
            bindings.put(e.getKey(), copy(e.getValue()));
        }
        return JinjaEnvironment.render(rewritten, bindings);
    }

    /** Renders without extra variables. */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /** Deep-copies into mutable maps and lists so templates that mutate ({@code set messages = ...}) never touch the caller's data. */
    private static Object copy(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(copy(v)));
            return out;
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }
}
