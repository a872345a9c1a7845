package io.rlhf4j.nn.tokenizer.jinja;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Resolves Python method calls on strings and dicts ({@code s.startswith(x)}, {@code s.split(sep)},
 * {@code d.items()}, {@code d.get(k, default)}) the way Jinja2 does in transformers: by calling the
 * Python method. Placed before Jinjava's bean resolver so a Python name never reaches a Java method
 * of the same name with other semantics ({@code String.split} is a regex split).
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (base instanceof String s) {
            result = stringMethod(s, method.toString(), args);
        } else if (base instanceof Map<?, ?> m) {
            result = mapMethod(m, method.toString(), args);
        } else {
            return null;
        }
        if (result != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return result;
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object stringMethod(String s, String name, Object[] a) {
        return switch (name) {
            case "startswith" -> matchesAffix(s, a[0], true);
            case "endswith" -> matchesAffix(s, a[0], false);
            case "split" -> PyStrings.split(s, a.length > 0 ? (String) a[0] : null, a.length > 1 ? toInt(a[1]) : -1);
            case "strip" -> PyStrings.strip(s, a.length > 0 ? (String) a[0] : null);
            case "lstrip" -> PyStrings.lstrip(s, a.length > 0 ? (String) a[0] : null);
            case "rstrip" -> PyStrings.rstrip(s, a.length > 0 ? (String) a[0] : null);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> PyStrings.title(s);
            case "capitalize" -> PyStrings.capitalize(s);
            case "replace" -> replace(s, (String) a[0], (String) a[1], a.length > 2 ? toInt(a[2]) : -1);
            case "find" -> (long) s.indexOf((String) a[0]);
            case "count" -> count(s, (String) a[0]);
            case "join" -> join(s, a[0]);
            default -> NOT_HANDLED;
        };
    }

    private static Object mapMethod(Map<?, ?> m, String name, Object[] a) {
        return switch (name) {
            case "items" -> new ArrayList<>(m.entrySet());
            case "keys" -> new ArrayList<>(m.keySet());
            case "values" -> new ArrayList<>(m.values());
            case "get" -> m.containsKey(a[0]) ? m.get(a[0]) : (a.length > 1 ? a[1] : null);
            default -> NOT_HANDLED;
        };
    }

    /** {@code startswith/endswith} take a string or a tuple (list) of strings. */
    private static boolean matchesAffix(String s, Object affix, boolean prefix) {
        if (affix instanceof List<?> options) {
            for (Object o : options) {
                if (matchesAffix(s, o, prefix)) {
                    return true;
                }
            }
            return false;
        }
        String x = String.valueOf(affix);
        return prefix ? s.startsWith(x) : s.endsWith(x);
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int done = 0; done < count; done++) {
            int at = s.indexOf(old, start);
            if (at < 0) {
                break;
            }
            out.append(s, start, at).append(replacement);
            start = at + old.length();
        }
        return out.append(s.substring(start)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        StringBuilder out = new StringBuilder();
        Iterator<?> it = ((Iterable<?>) items).iterator();
        while (it.hasNext()) {
            out.append(it.next());
            if (it.hasNext()) {
                out.append(sep);
            }
        }
        return out.toString();
    }

    private static int toInt(Object o) {
        return ((Number) o).intValue();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Not a property resolver: leaves assignment to the resolvers after it.
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
