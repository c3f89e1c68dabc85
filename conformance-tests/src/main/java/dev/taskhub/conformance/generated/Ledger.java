package dev.taskhub.conformance.generated;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Attempts and successful executions of the generic activity, kept in the test JVM (not in the store), keyed by
 * {@code <instance id>|<activity key>}. Keys are unique per run because instance ids are.
 */
final class Ledger {
    private static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> SUCCESSES = new ConcurrentHashMap<>();

    private Ledger() {
    }

    static String key(String instanceId, String activityKey) {
        return instanceId + "|" + activityKey;
    }

    static int nextAttempt(String key) {
        return ATTEMPTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    static void succeeded(String key) {
        SUCCESSES.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    static int successes(String key) {
        AtomicInteger n = SUCCESSES.get(key);
        return n == null ? 0 : n.get();
    }

    /** Every key of the given instances that saw a successful execution. */
    static java.util.Set<String> successKeys(java.util.Collection<String> instanceIds) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String k : SUCCESSES.keySet()) {
            if (instanceIds.contains(k.substring(0, k.indexOf('|')))) {
                out.add(k);
            }
        }
        return out;
    }

    /** Forgets a run's keys (all keys start with one of its instance ids). */
    static void forget(Iterable<String> instanceIds) {
        for (String id : instanceIds) {
            ATTEMPTS.keySet().removeIf(k -> k.startsWith(id + "|"));
            SUCCESSES.keySet().removeIf(k -> k.startsWith(id + "|"));
        }
    }
}
