package dev.taskhub;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;

/**
 * Why an activity, sub-orchestration or orchestration failed.
 *
 * @param errorType  the exception class name, or a Taskhub reason such as {@code NonDeterminism}
 * @param message    the exception message
 * @param stackTrace the stack trace as text, may be empty
 */
public record FailureDetails(String errorType, String message, String stackTrace) {
    public FailureDetails {
        Objects.requireNonNull(errorType, "errorType");
        message = message == null ? "" : message;
        stackTrace = stackTrace == null ? "" : stackTrace;
    }

    public static FailureDetails of(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        return new FailureDetails(t.getClass().getName(), t.getMessage(), trace.toString());
    }

    /** Whether the failure was caused by an exception of the given type (or a subclass, when the class is loadable). */
    public boolean isCausedBy(Class<? extends Throwable> type) {
        if (type.getName().equals(errorType)) {
            return true;
        }
        try {
            return type.isAssignableFrom(Class.forName(errorType, false, type.getClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return errorType + ": " + message;
    }
}
