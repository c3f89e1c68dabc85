package dev.taskhub;

/** Taskhub cannot be configured as asked: no provider matches, a connection string is malformed, a setting is out of range. */
public final class ConfigurationException extends TaskhubException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
