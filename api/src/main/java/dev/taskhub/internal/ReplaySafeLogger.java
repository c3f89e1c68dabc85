package dev.taskhub.internal;

import org.slf4j.Logger;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.BooleanSupplier;

/** Wraps an SLF4J logger so that logging calls are dropped while the orchestrator replays recorded history. */
final class ReplaySafeLogger {
    private ReplaySafeLogger() {}

    static Logger wrap(Logger delegate, BooleanSupplier replaying) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[]{Logger.class}, (proxy, method, args) -> {
            String name = method.getName();
            boolean isLogCall = method.getReturnType() == void.class
                    && (name.equals("trace") || name.equals("debug") || name.equals("info") || name.equals("warn") || name.equals("error"));
            if (isLogCall && replaying.getAsBoolean()) {
                return null;
            }
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
