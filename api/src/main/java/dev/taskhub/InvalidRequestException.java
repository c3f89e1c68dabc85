package dev.taskhub;

/** An argument is invalid: a bad filter, page size, continuation token, payload or name. The message names the argument. */
public final class InvalidRequestException extends TaskhubException {
    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
