package dev.taskhub;

/**
 * The storage provider failed to carry out an operation (connection lost, server error). Callers may retry;
 * workers back off and retry on their own. The message never contains secrets.
 */
public class StorageException extends TaskhubException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
