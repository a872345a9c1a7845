package io.rlhf4j.trainers.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The keys a config class accepts (its {@link JsonProperty} names) and the field behind each. */
final class ConfigKeys {

    private final Map<String, Field> fields;

    private ConfigKeys(Map<String, Field> fields) {
        this.fields = fields;
    }

    static ConfigKeys of(Class<? extends BaseConfig> type) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(c);
        }
        Collections.reverse(chain);
        Map<String, Field> fields = new LinkedHashMap<>();
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                JsonProperty p = f.getAnnotation(JsonProperty.class);
                if (p != null) {
                    fields.put(p.value(), f);
                }
            }
        }
        return new ConfigKeys(fields);
    }

    Optional<Field> field(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    List<String> names() {
        return List.copyOf(fields.keySet());
    }

    /** "unknown key 'x' (did you mean 'y'?)" or, with no close key, the list of known keys. */
    String unknownKeyMessage(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : fields.keySet()) {
            int d = editDistance(key.toLowerCase(), known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            return "unknown key '" + key + "' (did you mean '" + best + "'?)";
        }
        return "unknown key '" + key + "'; known keys are " + fields.keySet();
    }

    /** Levenshtein distance (insertions, deletions, substitutions each cost 1). */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
