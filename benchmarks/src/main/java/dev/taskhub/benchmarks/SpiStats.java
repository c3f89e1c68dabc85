package dev.taskhub.benchmarks;

import dev.taskhub.spi.StorageProvider;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps a provider and counts every SPI call: calls, wall time, items per call (work items returned by a lock call,
 * elements of a batch commit) and empty lock polls. Shows round trips per orchestration and batch sizes for any
 * provider without touching it. Overhead: two nanoTime calls and a few adds per call.
 */
final class SpiStats implements InvocationHandler {
    private final StorageProvider target;
    private final Map<String, LongAdder[]> stats = new ConcurrentHashMap<>();

    private SpiStats(StorageProvider target) {
        this.target = target;
    }

    static SpiStats of(StorageProvider target) {
        return new SpiStats(target);
    }

    StorageProvider provider() {
        return (StorageProvider) Proxy.newProxyInstance(StorageProvider.class.getClassLoader(), new Class<?>[]{StorageProvider.class}, this);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(target, args);
        }
        long t = System.nanoTime();
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        long nanos = System.nanoTime() - t;
        String name = method.getName();
        long items;
        if (name.startsWith("lock") && result instanceof List<?> l) {
            items = l.size();
        } else if (args != null && args.length > 0 && args[0] instanceof List<?> l) {
            items = l.size();
        } else {
            items = 1;
        }
        LongAdder[] s = stats.computeIfAbsent(name, k -> new LongAdder[]{new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
        s[0].increment();
        s[1].add(nanos);
        s[2].add(items);
        if (items == 0) {
            s[3].increment();
        }
        return result;
    }

    /** Per SPI method: calls, calls per orchestration, mean ms per call, items per non-empty call, empty calls. */
    Map<String, Object> summary(int orchestrations) {
        Map<String, Object> out = new TreeMap<>();
        stats.forEach((name, s) -> {
            long calls = s[0].sum();
            long empty = s[3].sum();
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("calls", calls);
            m.put("per_orchestration", Stats.round((double) calls / orchestrations));
            m.put("mean_ms", Stats.round(s[1].sum() / 1e6 / calls));
            if (calls - empty > 0 && (name.startsWith("lock") || name.startsWith("commit") || name.startsWith("complete"))) {
                m.put("items_per_call", Stats.round((double) s[2].sum() / (calls - empty)));
            }
            if (empty > 0) {
                m.put("empty", empty);
            }
            out.put(name, m);
        });
        return out;
    }
}
