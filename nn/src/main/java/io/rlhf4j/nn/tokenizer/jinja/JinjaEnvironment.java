package io.rlhf4j.nn.tokenizer.jinja;

import java.util.Map;
import java.util.stream.Collectors;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import io.rlhf4j.nn.tokenizer.ChatTemplateException;
import jinjava.javax.el.CompositeELResolver;

/**
 * One Jinjava instance configured to behave like transformers' chat-template environment
 * (Jinja2 {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} plus its
 * {@code tojson}, {@code raise_exception}, {@code strftime_now} and {@code generation} additions).
 * The settings are the ones measured in shared/notes/chat-templates.md.
 */
public final class JinjaEnvironment {
    private static final Jinjava JINJAVA = create();

    private JinjaEnvironment() {}

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Off: otherwise "{{ ... }}" inside message content is evaluated (template injection).
                .withNestedInterpretationEnabled(false)
                .withFailOnUnknownTokens(false)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withUsePyishObjectMapper(true)
                        .withIterateOverMapKeys(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        var context = jinjava.getGlobalContext();
        context.registerFilter(new JinjaFilters.ToJson());
        context.registerFilter(new JinjaFilters.Items());
        context.registerFilter(new JinjaFilters.Trim());
        context.registerTag(new GenerationTag());
        context.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaFunctions.class,
                "raiseException", Object.class));
        context.registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaFunctions.class,
                "strftimeNow", String.class));
        return jinjava;
    }

    /**
     * Renders template text already passed through {@link TemplateRewriter}.
     *
     * @throws ChatTemplateException on any fatal Jinjava error (Jinjava reports them instead of throwing)
     */
    public static String render(String rewrittenTemplate, Map<String, Object> bindings) {
        RenderResult result = JINJAVA.renderForResult(rewrittenTemplate, bindings);
        var fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            Throwable cause = fatal.get(0).getException();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof ChatTemplateException raised) {
                    throw raised; // raise_exception: the template's own message, not Jinjava's wrapper
                }
            }
            throw new ChatTemplateException(fatal.stream()
                    .map(e -> "line " + e.getLineno() + ": " + e.getMessage())
                    .collect(Collectors.joining("; ", "chat template failed: ", "")), cause);
        }
        return result.getOutput();
    }
}
