package io.rlhf4j.nn.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rewrites Jinja2 source into the dialect Jinjava parses, changing only the text inside
 * {@code {{ }}} and {@code {% %}}:
 * <ul>
 *   <li>{@code x[::-1]} becomes {@code x|reverse} (Jinjava has no slice step);</li>
 *   <li>{@code not x is defined} becomes {@code not (x is defined)}: Jinja2 binds {@code is} tighter
 *       than {@code not}, Jinjava applies {@code not} to {@code x} first;</li>
 *   <li>keyword arguments of {@code namespace(...)} are parenthesised: Jinjava's parser reads
 *       {@code namespace(i=messages|length - 1)} as a filter applied to {@code i=messages};</li>
 * </ul>
 * and, as Jinja2's lexer does, turns {@code \r\n} and {@code \r} into {@code \n} and drops one
 * trailing newline of the template ({@code keep_trailing_newline=False}).
 */
public final class TemplateRewriter {
    private TemplateRewriter() {}

    public static String rewrite(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int open = nextOpen(s, i);
            if (open < 0) {
                out.append(s, i, s.length());
                break;
            }
            out.append(s, i, open + 2);
            boolean comment = s.charAt(open + 1) == '#';
            String close = switch (s.charAt(open + 1)) {
                case '{' -> "}}";
                case '%' -> "%}";
                default -> "#}";
            };
            int end = comment ? s.indexOf(close, open + 2) : closeOutsideQuotes(s, open + 2, close);
            if (end < 0) {
                out.append(s, open + 2, s.length());
                break;
            }
            String body = s.substring(open + 2, end);
            out.append(comment ? body : rewriteExpression(body)).append(close);
            i = end + 2;
        }
        return out.toString();
    }

    private static int nextOpen(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static int closeOutsideQuotes(String s, int from, String close) {
        char quote = 0;
        for (int i = from; i + 1 < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    private static final Pattern NOT_IS = Pattern.compile(
            "\\bnot\\s+([A-Za-z_][A-Za-z0-9_.]*(?:\\[[^\\]]*])*)\\s+is\\s+(not\\s+)?([A-Za-z_]+)\\b");

    static String rewriteExpression(String body) {
        String s = NOT_IS.matcher(reverseSlices(body)).replaceAll("not ($1 is $2$3)");
        return parenthesiseNamespaceArguments(s);
    }

    private static String reverseSlices(String body) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quote == 0 && body.startsWith("[::-1]", i)) {
                out.append("|reverse");
                i += 5;
                continue;
            }
            if (quote != 0 && c == '\\') {
                out.append(c).append(body.charAt(++i));
                continue;
            }
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String parenthesiseNamespaceArguments(String body) {
        int at = body.indexOf("namespace(");
        if (at < 0) {
            return body;
        }
        int argsStart = at + "namespace(".length();
        int argsEnd = matchingParen(body, argsStart);
        if (argsEnd < 0) {
            return body;
        }
        List<String> args = splitTopLevel(body.substring(argsStart, argsEnd));
        List<String> rewritten = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            boolean keyword = eq > 0 && arg.substring(0, eq).trim().matches("[A-Za-z_][A-Za-z0-9_]*")
                    && (eq + 1 >= arg.length() || arg.charAt(eq + 1) != '=');
            rewritten.add(keyword ? arg.substring(0, eq + 1) + "(" + arg.substring(eq + 1).trim() + ")" : arg);
        }
        return body.substring(0, argsStart) + String.join(", ", rewritten)
                + parenthesiseNamespaceArguments(body.substring(argsEnd));
    }

    private static int matchingParen(String s, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    private static List<String> splitTopLevel(String args) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(args.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (!args.substring(start).isBlank()) {
            parts.add(args.substring(start).trim());
        }
        return parts;
    }
}
