package dev.taskhub;

/**
 * Root of every exception Taskhub throws. All are unchecked; each subclass carries the data
 * a caller needs (instance id, failure details) and a message that says what to do next.
 */
public abstract class TaskhubException extends RuntimeException {
    protected TaskhubException(String message) {
        super(message);
    }

    protected TaskhubException(String message, Throwable cause) {
        super(message, cause);
    }
}
