package dev.taskhub.benchmarks;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a provider's storage request counters without a compile-time dependency on the provider: looks for a public
 * no-argument method whose name mentions "request" (or "counter"/"stat"/"metric") and turns what it returns into a
 * flat map of name to count (a Map of numbers, a number, a record or bean of numbers, or a nested map of those).
 * Empty when the provider exposes nothing of the kind.
 */
final class ProviderCounters {
    private ProviderCounters() {}

    static Map<String, Long> read(Object provider) {
        Map<String, Long> out = new TreeMap<>();
        if (provider == null) {
            return out;
        }
        // the Azure Storage provider's documented accessor first, then anything that looks like one
        java.util.List<Method> candidates = new java.util.ArrayList<>();
        for (Method m : provider.getClass().getMethods()) {
            String name = m.getName().toLowerCase(Locale.ROOT);
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                    || m.getReturnType() == void.class || name.startsWith("reset") || name.startsWith("clear")
                    || name.startsWith("close") || name.startsWith("delete")) {
                continue; // never call anything with side effects
            }
            if (name.contains("request") || name.contains("counter") || name.contains("stats") || name.contains("metric")) {
                candidates.add(m);
            }
        }
        candidates.sort(java.util.Comparator.comparing((Method m) -> !m.getName().equals("requestCounts"))
                .thenComparing(m -> !Map.class.isAssignableFrom(m.getReturnType())).thenComparing(Method::getName));
        for (Method m : candidates) {
            try {
                m.setAccessible(true);
                flatten("", m.invoke(provider), out, 0);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not a counter accessor after all
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return out;
    }

    static long total(Map<String, Long> counts) {
        return counts.entrySet().stream().filter(e -> !e.getKey().equals("total")).mapToLong(Map.Entry::getValue).sum();
    }

    private static void flatten(String prefix, Object value, Map<String, Long> out, int depth) throws ReflectiveOperationException {
        if (value == null || depth > 4) {
            return;
        }
        if (value instanceof Number n) {
            out.put(prefix.isEmpty() ? "total" : prefix, n.longValue());
        } else if (value instanceof java.util.concurrent.atomic.LongAdder a) {
            out.put(prefix.isEmpty() ? "total" : prefix, a.sum());
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flatten(join(prefix, String.valueOf(e.getKey())), e.getValue(), out, depth + 1);
            }
        } else if (value.getClass().isRecord()) {
            for (RecordComponent rc : value.getClass().getRecordComponents()) {
                Method acc = rc.getAccessor();
                acc.setAccessible(true);
                flatten(join(prefix, rc.getName()), acc.invoke(value), out, depth + 1);
            }
        } else if (!(value instanceof CharSequence) && !value.getClass().isPrimitive()) {
            for (Method g : value.getClass().getMethods()) {
                if (g.getParameterCount() == 0 && g.getName().startsWith("get") && g.getDeclaringClass() != Object.class
                        && (Number.class.isAssignableFrom(wrap(g.getReturnType())) || Map.class.isAssignableFrom(g.getReturnType()))) {
                    g.setAccessible(true);
                    String n = g.getName().substring(3);
                    flatten(join(prefix, Character.toLowerCase(n.charAt(0)) + n.substring(1)), g.invoke(value), out, depth + 1);
                }
            }
        }
    }

    private static Class<?> wrap(Class<?> c) {
        if (c == long.class) return Long.class;
        if (c == int.class) return Integer.class;
        if (c == double.class) return Double.class;
        return c;
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }
}
