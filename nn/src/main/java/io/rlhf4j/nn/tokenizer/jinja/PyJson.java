package io.rlhf4j.nn.tokenizer.jinja;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=indent, sort_keys=sortKeys)}, which is what
 * transformers' {@code tojson} filter calls: separators {@code ", "}/{@code ": "} without indent and
 * {@code ","}/{@code ": "} with it, non-ASCII kept, floats in Python's {@code repr}.
 */
public final class PyJson {
    private PyJson() {}

    public static String dumps(Object value, Integer indent, boolean sortKeys, boolean ensureAscii) {
        StringBuilder out = new StringBuilder();
        new Writer(out, indent, sortKeys, ensureAscii).write(value, 0);
        return out.toString();
    }

    private record Writer(StringBuilder out, Integer indent, boolean sortKeys, boolean ensureAscii) {

        void write(Object v, int level) {
            switch (v) {
                case null -> out.append("null");
                case String s -> string(s);
                case Boolean b -> out.append(b ? "true" : "false");
                case Double d -> out.append(pyFloat(d));
                case Float f -> out.append(pyFloat(f.doubleValue()));
                case Number n -> out.append(n);
                case Map<?, ?> m -> map(m, level);
                case Iterable<?> it -> list(it, level);
                case Object[] arr -> list(java.util.Arrays.asList(arr), level);
                default -> string(v.toString());
            }
        }

        private void map(Map<?, ?> m, int level) {
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            Iterable<? extends Map.Entry<?, ?>> entries = m.entrySet();
            if (sortKeys) {
                entries = m.entrySet().stream()
                        .sorted(java.util.Comparator.comparing(e -> String.valueOf(e.getKey()))).toList();
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                separator(first, level + 1);
                first = false;
                string(String.valueOf(e.getKey()));
                out.append(": ");
                write(e.getValue(), level + 1);
            }
            newline(level);
            out.append('}');
        }

        private void list(Iterable<?> items, int level) {
            if (!items.iterator().hasNext()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                separator(first, level + 1);
                first = false;
                write(item, level + 1);
            }
            newline(level);
            out.append(']');
        }

        private void separator(boolean first, int level) {
            if (!first) {
                out.append(indent == null ? ", " : ",");
            }
            newline(level);
        }

        private void newline(int level) {
            if (indent != null) {
                out.append('\n').append(" ".repeat(indent * level));
            }
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20 || (ensureAscii && c > 0x7f)) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = exact.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
