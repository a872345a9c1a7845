package io.rlhf4j.nn.tokenizer.jinja;

import io.rlhf4j.nn.tokenizer.ChatTemplateException;

import java.util.ArrayList;
import java.util.Map;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

/** The filters whose Jinjava versions differ from what transformers' Jinja2 environment does. */
final class JinjaFilters {
    private JinjaFilters() {}

    /**
     * transformers' {@code tojson}: {@code json.dumps(x, ensure_ascii=False, indent=None, sort_keys=False)}
     * (src/transformers/utils/chat_template_utils.py), not Jinja2's HTML-escaping one.
     */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 1 ? args[1] : null);
            boolean ensureAscii = truthy(kwargs.getOrDefault("ensure_ascii", args.length > 0 ? args[0] : false));
            boolean sortKeys = truthy(kwargs.getOrDefault("sort_keys", false));
            if (kwargs.get("separators") != null) {
                throw new ChatTemplateException("tojson: the separators argument is not supported");
            }
            return PyJson.dumps(var, indent == null ? null : ((Number) indent).intValue(), sortKeys, ensureAscii);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        private static boolean truthy(Object o) {
            return o instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(o));
        }
    }

    /** Jinja2's {@code items}: the (key, value) pairs of a mapping, for {@code for k, v in d | items}. */
    static final class Items implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) {
                return new ArrayList<>();
            }
            if (!(var instanceof Map<?, ?> m)) {
                throw new ChatTemplateException("items: expected a mapping, got " + var.getClass().getSimpleName());
            }
            return new ArrayList<>(m.entrySet());
        }
    }

    /** Jinja2's {@code trim(value, chars=None)} is Python's {@code str.strip(chars)}. */
    static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) {
                return "";
            }
            return PyStrings.strip(var.toString(), args.length > 0 ? args[0] : null);
        }
    }
}
